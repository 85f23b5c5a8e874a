import RealModule
import Simplex

/// An optimizer updates a fixed list of tensors from their gradients, one step per call.
/// The tensors are the method's own variables: the weights for float training, w̃ or ũ for the
/// quantization methods.
public protocol Optimizer: AnyObject {
    /// value ← value − step(gradient) for every (value, gradient) pair, with learning rate `rate`.
    func step(learningRate rate: Float)
}

/// One optimised variable and its gradient.
public struct OptimizedTensor {
    /// The variable the optimizer updates in place.
    public let value: Tensor
    /// Its gradient, read at every step; same size as `value`.
    public let gradient: Tensor
    /// Pairs a variable with its gradient buffer (same element count).
    public init(value: Tensor, gradient: Tensor) {
        precondition(value.count == gradient.count, "a variable and its gradient differ in size")
        self.value = value
        self.gradient = gradient
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
    private var velocity: [[Float]]

    /// SGD over `variables`, with zero momentum buffers.
    public init(_ variables: [OptimizedTensor], momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        self.variables = variables
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        velocity = variables.map { Array(repeating: 0, count: $0.value.count) }
    }

    public func step(learningRate rate: Float) {
        for (index, variable) in variables.enumerated() {
            let w = variable.value.data, g = variable.gradient.data
            velocity[index].withUnsafeMutableBufferPointer { v in
                for i in 0 ..< v.count {
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
    }

    /// The momentum buffers, for checkpoints.
    public var state: [[Float]] {
        get { velocity }
        set { precondition(newValue.map(\.count) == velocity.map(\.count), "SGD state of the wrong shape"); velocity = newValue }
    }
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

    /// Adam over `variables` with zero moment estimates (PyTorch's defaults).
    public init(_ variables: [OptimizedTensor], beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0) {
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
        let w = variables.map(\.value.data), g = variables.map(\.gradient.data)
        let m = first.map(\.data), v = second.map(\.data)
        parallelSegments(counts: variables.map(\.value.count)) { index, start, count in
            Kernels.adam(w[index] + start, g[index] + start, m[index] + start, v[index] + start, count: count, beta1: beta1,
                         beta2: beta2, epsilon: epsilon, decay: weightDecay, step: step, correction: correction)
        }
    }

    /// Step count and moment buffers, for checkpoints.
    public var state: (steps: Int, first: [[Float]], second: [[Float]]) {
        get { (steps, first.map(\.array), second.map(\.array)) }
        set {
            precondition(newValue.first.map(\.count) == first.map(\.count) && newValue.second.map(\.count) == second.map(\.count),
                         "Adam state of the wrong shape")
            steps = newValue.steps
            for (tensor, values) in zip(first, newValue.first) { tensor.assign(values) }
            for (tensor, values) in zip(second, newValue.second) { tensor.assign(values) }
        }
    }
}
