/// y = body(x) + shortcut(x), with the identity as the default shortcut (ResNet's BasicBlock
/// before its final ReLU). ∂x = ∂body/∂x ∂y + ∂shortcut/∂x ∂y, summed in the body's ∂x buffer.
public final class Residual: Layer {
    /// The residual branch.
    public let body: Sequential
    /// The projection shortcut (1×1 conv + BN in ResNet), or nil for the identity.
    public let shortcut: Sequential?
    private let output = Tensor(shape: [0])

    /// y = body(x) + shortcut(x); without `shortcut`, y = body(x) + x (shapes must agree).
    public init(_ body: Sequential, shortcut: Sequential? = nil) {
        self.body = body
        self.shortcut = shortcut
    }

    public var description: String { shortcut == nil ? "Residual(identity)" : "Residual(projection)" }
    public var keepsOutput: Bool { false }

    public func outputShape(for input: [Int]) -> [Int] {
        let main = body.outputShape(for: input)
        precondition(main == (shortcut?.outputShape(for: input) ?? input),
                     "residual branches disagree on the output shape for input \(input)")
        return main
    }

    public func forward(_ x: Tensor, training: Bool, in workspace: Workspace) -> Tensor {
        let main = body.forward(x, training: training, in: workspace)
        let skip = shortcut?.forward(x, training: training, in: workspace) ?? x
        output.resize(to: main.shape)
        Kernels.add(main.data, skip.data, into: output.data, count: output.count)
        return output
    }

    public func infer(_ x: Tensor, in workspace: Workspace) -> Tensor {
        let y = body.infer(x, in: workspace)
        guard let shortcut else {
            Kernels.add(x.data, into: y.data, count: y.count)
            return y
        }
        let skip = shortcut.infer(x, in: workspace)
        Kernels.add(skip.data, into: y.data, count: y.count)
        workspace.giveBack(skip)
        return y
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, in workspace: Workspace) -> Tensor? {
        let main = body.backward(dy, needsInputGradient: needsInputGradient, in: workspace)
        let skip = shortcut.map { $0.backward(dy, needsInputGradient: needsInputGradient, in: workspace) } ?? dy
        guard let main, let skip else { return nil }
        Kernels.add(skip.data, into: main.data, count: main.count)
        if skip !== dy { workspace.giveBack(skip) }
        return main
    }

    public func namedParameters(prefix: String) -> [(name: String, parameter: Parameter)] {
        let path = { (part: String) in prefix.isEmpty ? part : "\(prefix).\(part)" }
        return body.namedParameters(prefix: path("body")) + (shortcut?.namedParameters(prefix: path("shortcut")) ?? [])
    }

    public func summaryRows(prefix: String, input: [Int]) -> [SummaryRow] {
        body.summaryRows(prefix: "\(prefix).body", input: input)
            + (shortcut?.summaryRows(prefix: "\(prefix).shortcut", input: input) ?? [])
            + [SummaryRow(path: prefix, layer: "+ (residual sum)", outputShape: outputShape(for: input), parameterCount: 0)]
    }
}
