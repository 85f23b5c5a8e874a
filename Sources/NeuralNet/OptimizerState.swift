/// An optimizer's state: its step count and its buffers (momenta, moment estimates) by name,
/// `SLOT/VARIABLE`: Adam's `m/1.weight` and `v/1.weight`, SGD's `momentum/1.weight/utilde`.
public struct OptimizerState: Sendable, Equatable {
    /// Steps taken (0 for optimizers that do not count them).
    public var steps: Int
    /// The buffers by `bufferName(slot:variable:)`, each as long as its variable.
    public var buffers: [String: [Float]]

    public init(steps: Int, buffers: [String: [Float]]) {
        self.steps = steps
        self.buffers = buffers
    }

    /// The name of the buffer `slot` (`m`, `momentum`) of the variable named `variable`.
    public static func bufferName(slot: String, variable: String) -> String { "\(slot)/\(variable)" }

    /// The state of an optimizer that keeps, for each slot, one buffer per variable of `variables`
    /// (`slots[k].tensors[i]` belongs to `variables[i]`).
    public init(steps: Int, slots: [(name: String, tensors: [Tensor])], of variables: [OptimizedTensor]) {
        var buffers: [String: [Float]] = [:]
        for (slot, tensors) in slots {
            for (variable, tensor) in zip(variables, tensors) { buffers[Self.bufferName(slot: slot, variable: variable.name)] = tensor.array }
        }
        self.init(steps: steps, buffers: buffers)
    }

    /// Writes the buffers into `slots`' tensors (laid out as for `init(steps:slots:of:)`), matched
    /// by name.
    /// - Throws: `StateMismatch` naming the first missing buffer, one of another size than its
    ///   variable or one of no slot and variable here; nothing is written then.
    public func restore(_ slots: [(name: String, tensors: [Tensor])], of variables: [OptimizedTensor]) throws(StateMismatch) {
        let targets = slots.flatMap { slot, tensors in
            zip(variables, tensors).map { (name: Self.bufferName(slot: slot, variable: $0.name), tensor: $1) }
        }
        let values = try matchByName(targets.map { ($0.name, $0.tensor.count) }, in: buffers, group: "optimizer")
        for (target, array) in zip(targets, values) { target.tensor.assign(array) }
    }
}
