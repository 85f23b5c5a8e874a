import CKernels
import RealModule
import Simplex
import Support

/// An optimizer updates a fixed list of named tensors from their gradients, one step per call.
/// The tensors are the method's own variables: the weights for float training, w̃ or ũ for the
/// quantization methods.
public protocol Optimizer: AnyObject {
    /// value ← value − step(gradient) for every (value, gradient) pair, with learning rate `rate`.
    func step(learningRate rate: Float)
    /// Everything the optimizer's future steps depend on besides the variables, for checkpoints:
    /// its buffers named by slot and variable (`OptimizerState.bufferName`).
    var state: OptimizerState { get }
    /// Continues from `state`, taken from an optimizer of the same kind over variables of the same
    /// names and sizes, its buffers matched by name; the following steps are then bit for bit those
    /// the saved optimizer would have taken.
    /// - Throws: `StateMismatch` naming a missing buffer, one of another size or one this optimizer
    ///   does not keep (nothing is changed then).
    func restore(_ state: OptimizerState) throws(StateMismatch)
}

/// One optimised variable, its name and its gradient.
///
/// The gradient is either a stored tensor, read at every step, or a `GradientSource` that the
/// optimizer asks for block by block during the step (a method whose gradient is a cheap function of
/// the backward pass's result, e.g. the pullback of ∂L/∂w through a projection).
public struct OptimizedTensor {
    /// The variable's name: the method's name for it among its state tensors (`1.weight` for a
    /// float weight, `1.weight/utilde` for ũ), distinct among an optimizer's variables. The
    /// optimizer's buffers of it are named after it.
    public let name: String
    /// The variable the optimizer updates in place.
    public let value: Tensor
    /// Where its gradient comes from.
    let gradient: Gradient

    enum Gradient {
        case stored(Tensor)
        case computed(GradientSource)
    }

    /// Pairs a variable named `name` with its gradient buffer (same element count).
    public init(name: String, value: Tensor, gradient: Tensor) {
        precondition(value.count == gradient.count, "a variable and its gradient differ in size")
        self.name = name
        self.value = value
        self.gradient = .stored(gradient)
    }

    /// A variable named `name` whose gradient `source` produces on demand.
    public init(name: String, value: Tensor, source: GradientSource) {
        precondition(value.count % source.rowWidth == 0, "a variable is not made of whole rows of \(source.rowWidth)")
        self.name = name
        self.value = value
        gradient = .computed(source)
    }

    /// The current gradient, from the stored tensor or the whole source.
    public var gradientValues: [Float] {
        switch gradient {
        case .stored(let tensor): return tensor.array
        case .computed(let source):
            return [Float](unsafeUninitializedCapacity: value.count) { buffer, count in
                source.gradient(0, value.count, buffer.baseAddress!)
                count = value.count
            }
        }
    }
}

/// A gradient computed in blocks while the optimizer steps (see `OptimizedTensor`): for each block
/// of whole rows, `gradient` writes ∂L/∂value into a small buffer, the optimizer updates the block,
/// then `updated` is told. The work on one block never touches another's entries, so blocks run
/// in parallel; each entry is in exactly one block per step.
public struct GradientSource {
    /// Entries per row; blocks start and end on row boundaries.
    public let rowWidth: Int
    /// `gradient(start, count, into)` writes ∂L/∂value[start ..< start + count] to `into[0 ..< count]`.
    public let gradient: (Int, Int, UnsafeMutablePointer<Float>) -> Void
    /// `updated(start, count)`: value[start ..< start + count] has just been updated.
    public let updated: (Int, Int) -> Void

    public init(rowWidth: Int, gradient: @escaping (Int, Int, UnsafeMutablePointer<Float>) -> Void,
                updated: @escaping (Int, Int) -> Void) {
        precondition(rowWidth > 0, "a gradient source needs rows of at least one entry")
        self.rowWidth = rowWidth
        self.gradient = gradient
        self.updated = updated
    }
}

/// Runs `update(variable, start, count, g)` over all entries of all variables in one parallel
/// region, where g points at ∂L/∂value[start]. A stored gradient is passed in place; a source's is
/// produced in blocks of at most `blockSize` entries (whole rows) into a per-call buffer that stays
/// in L1, and the source is told after each block's update. Every optimizer steps through this, so
/// a new one works with every method (`update` must change only entries start ..< start + count).
public func forEachGradientBlock(_ variables: [OptimizedTensor], blockSize: Int = 2048,
                          _ update: (Int, Int, Int, UnsafePointer<Float>) -> Void) {
    parallelSegments(counts: variables.map(\.value.count)) { index, start, count in
        switch variables[index].gradient {
        case .stored(let tensor): update(index, start, count, tensor.data + start)
        case .computed(let source):
            // Piece boundaries rounded up to whole rows: neighbouring pieces round their shared
            // boundary alike, so the rows are still covered exactly once.
            let d = source.rowWidth, total = variables[index].value.count
            let (from, to) = (min(total, (start + d - 1) / d * d), min(total, (start + count + d - 1) / d * d))
            let block = max(d, blockSize / d * d)
            withUnsafeTemporaryAllocation(of: Float.self, capacity: block) { buffer in
                for first in stride(from: from, to: to, by: block) {
                    let size = min(block, to - first)
                    source.gradient(first, size, buffer.baseAddress!)
                    update(index, first, size, buffer.baseAddress!)
                    source.updated(first, size)
                }
            }
        }
    }
}

/// Stochastic gradient descent with optional momentum μ, Nesterov momentum and L2 weight decay λ
/// (PyTorch's formulation): d = g + λw; v ← μv + d; w ← w − lr·(nesterov ? d + μv : v).
public final class SGD: Optimizer {
    /// Momentum μ (0: plain SGD).
    public let momentum: Float
    /// Whether the step uses Nesterov's look-ahead d + μv.
    public let nesterov: Bool
    /// L2 weight decay λ, added to the gradient as λw.
    public let weightDecay: Float
    private let variables: [OptimizedTensor]
    /// One momentum buffer per variable (stable storage for the parallel update).
    private let velocity: [Tensor]

    /// The name of SGD's one buffer per variable, the velocity v.
    public static let slots = ["momentum"]

    /// SGD over `variables` (distinct names), with zero momentum buffers.
    public init(_ variables: [OptimizedTensor], momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        precondition(Set(variables.map(\.name)).count == variables.count, "an optimizer's variables need distinct names")
        self.variables = variables
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        velocity = variables.map { Tensor(shape: [$0.value.count]) }
    }

    public func step(learningRate rate: Float) {
        let (w, v) = (variables.map(\.value.data), velocity.map(\.data))
        let (momentum, nesterov, weightDecay) = (momentum, nesterov, weightDecay)
        forEachGradientBlock(variables) { index, start, count, g in
            let (w, v) = (w[index] + start, v[index] + start)
            for i in 0 ..< count {
                let d = g[i] + weightDecay * w[i]
                if momentum == 0 {
                    w[i] -= rate * d
                } else {
                    v[i] = momentum * v[i] + d
                    w[i] -= rate * (nesterov ? d + momentum * v[i] : v[i])
                }
            }
        }
    }

    /// The momentum buffers, `momentum/VARIABLE` (no step count).
    public var state: OptimizerState { OptimizerState(steps: 0, slots: buffers, of: variables) }

    public func restore(_ state: OptimizerState) throws(StateMismatch) {
        try state.restore(buffers, of: variables)
    }

    private var buffers: [(name: String, tensors: [Tensor])] { [(Self.slots[0], velocity)] }
}

/// Adam (Kingma & Ba) with L2 weight decay added to the gradient, as PyTorch's `Adam`:
/// d = g + λw; m ← β₁m + (1−β₁)d; v ← β₂v + (1−β₂)d²; w ← w − lr·m̂/(√v̂ + ε) with bias-corrected
/// m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
public final class Adam: Optimizer {
    /// β₁, decay of the first-moment average.
    public let beta1: Float
    /// β₂, decay of the second-moment average.
    public let beta2: Float
    /// ε added to √v̂ in the denominator.
    public let epsilon: Float
    /// L2 weight decay λ, added to the gradient as λw.
    public let weightDecay: Float
    /// Steps taken, t in the bias corrections.
    public private(set) var steps = 0
    private let variables: [OptimizedTensor]
    /// First and second moment estimates, one tensor per variable (stable storage for the kernels).
    private let first: [Tensor]
    private let second: [Tensor]

    /// The names of Adam's buffers per variable: the first and second moment estimates m and v.
    public static let slots = ["m", "v"]

    /// Adam over `variables` (distinct names) with zero moment estimates (PyTorch's defaults).
    public init(_ variables: [OptimizedTensor], beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0) {
        precondition(Set(variables.map(\.name)).count == variables.count, "an optimizer's variables need distinct names")
        self.variables = variables
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        first = variables.map { Tensor(shape: [$0.value.count]) }
        second = variables.map { Tensor(shape: [$0.value.count]) }
    }

    public func step(learningRate rate: Float) {
        steps += 1
        let correction1 = 1 - Float.pow(beta1, steps), correction2 = 1 - Float.pow(beta2, steps)
        let (step, correction) = (rate / correction1, 1 / correction2.squareRoot())
        // Every entry's update is independent, so all tensors are split across the cores in one
        // parallel region; the result does not depend on the split.
        let w = variables.map(\.value.data), m = first.map(\.data), v = second.map(\.data)
        let (beta1, beta2, epsilon, weightDecay) = (beta1, beta2, epsilon, weightDecay)
        forEachGradientBlock(variables) { index, start, count, g in
            ck_adam(w[index] + start, g, m[index] + start, v[index] + start, count, beta1, beta2, epsilon, weightDecay, step,
                    correction)
        }
    }

    /// The step count t and the moment estimates, `m/VARIABLE` and `v/VARIABLE`.
    public var state: OptimizerState { OptimizerState(steps: steps, slots: buffers, of: variables) }

    public func restore(_ state: OptimizerState) throws(StateMismatch) {
        guard state.steps >= 0 else { throw StateMismatch("optimizer step count \(state.steps) is negative") }
        try state.restore(buffers, of: variables)
        steps = state.steps
    }

    private var buffers: [(name: String, tensors: [Tensor])] { [(Self.slots[0], first), (Self.slots[1], second)] }
}
