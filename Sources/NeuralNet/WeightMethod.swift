import CKernels
/// Where the training loop is when it calls a method's post-step work.
public struct StepInfo: Sendable, Equatable {
    /// The iteration just completed, 0-based.
    public let iteration: Int
    /// The epoch it belongs to, 0-based.
    public let epoch: Int
    /// The learning rate the optimizer used for it (methods that step their own variables use it as η).
    public let learningRate: Float
    /// Iterations in the whole run (a method whose schedule is a fraction of the run reads it).
    public let iterations: Int

    public init(iteration: Int, epoch: Int, learningRate: Float, iterations: Int) {
        self.iteration = iteration
        self.epoch = epoch
        self.learningRate = learningRate
        self.iterations = iterations
    }
}

/// Simplex-side statistics of a method's relaxed variables u (NaN where a method has none).
public struct WeightDiagnostics: Sendable, Equatable {
    /// Mean entropy H(u_j) over rows, in nats.
    public var meanEntropy: Double
    /// Fraction of rows already at a vertex (max u_j ≥ 1 − 1e-6).
    public var vertexFraction: Double

    public init(meanEntropy: Double, vertexFraction: Double) {
        self.meanEntropy = meanEntropy
        self.vertexFraction = vertexFraction
    }

    public static let none = WeightDiagnostics(meanEntropy: .nan, vertexFraction: .nan)
}

/// How the variables an optimizer trains become the weights a network computes with.
///
/// Float training uses the weights themselves; a quantization method keeps its own variables
/// (w̃, ũ) and writes w = sign(w̃), w = P_β(ũ)·q, … into every parameter before the forward pass,
/// then turns ∂L/∂w into the gradient of its variables after the backward pass.
public protocol WeightMethod: AnyObject {
    /// A printable name with settings, e.g. `ref` or `pmf[rho=1.2,every=100]`.
    var name: String { get }
    /// The variables the optimizer steps, with their names and gradients. A method that updates its
    /// own variables in `afterStep` (PMF without ũ, mirror descent) leaves them out. Each is also a
    /// state tensor, under the same name.
    var variables: [OptimizedTensor] { get }
    /// Writes the training-time weights into the network's parameters (before the forward pass).
    func prepareForward(iteration: Int)
    /// Converts the parameters' gradients into the variables' gradients (after the backward pass):
    /// writes them into the variables' gradient tensors, or readies the variables' gradient sources.
    func pullBack(iteration: Int)
    /// Post-step work: clipping, proximal steps, self-stepped updates (after the optimizer step).
    func afterStep(_ step: StepInfo)
    /// Writes the weights to evaluate into the parameters: the quantized network when `quantized`,
    /// the fractional (relaxed) one otherwise.
    func prepareEvaluation(quantized: Bool)
    /// Tells the method that its state tensors were written from outside (a checkpoint restored),
    /// so nothing derived from them during the last step may be reused.
    func variablesChanged()

    /// Every tensor the method's future depends on, under distinct names made of the parameter path
    /// and what it is (for checkpoints and the non-finite check), e.g. `1.weight/utilde`. The
    /// default: `variables` under their names.
    var stateTensors: [(name: String, tensor: Tensor)] { get }
    /// The name of the first state tensor holding a NaN or an infinity, or nil (checked after
    /// every step). The default scans every state tensor (`firstNonFinite`).
    func nonFiniteStateTensor() -> String?
    /// The current inverse temperature β (NaN for methods without one).
    var beta: Double { get }
    /// Entropy and vertex statistics of u at the last forward pass.
    func diagnostics() -> WeightDiagnostics
    /// Whether the fractional network differs from the quantized one (false: evaluate once).
    var hasFractionalNetwork: Bool { get }
}

extension WeightMethod {
    public var stateTensors: [(name: String, tensor: Tensor)] {
        variables.map { ($0.name, $0.value) }
    }
    public var beta: Double { .nan }
    public func diagnostics() -> WeightDiagnostics { .none }
    public var hasFractionalNetwork: Bool { false }
    public func variablesChanged() {}
    public func nonFiniteStateTensor() -> String? { firstNonFinite(stateTensors) }
}

/// The name of the first tensor holding a NaN or an infinity, or nil.
public func firstNonFinite(_ tensors: some Collection<(name: String, tensor: Tensor)>) -> String? {
    tensors.first { containsNonFinite($0.tensor.data, count: $0.tensor.count) }?.name
}

/// Whether any of `count` floats at x is NaN or ±∞, in one vectorised pass (`ck_contains_non_finite`).
public func containsNonFinite(_ x: UnsafePointer<Float>, count: Int) -> Bool { ck_contains_non_finite(x, count) != 0 }

/// Float training (the paper's REF): the optimizer steps the network's parameters directly.
public final class FloatWeights: WeightMethod {
    /// Every parameter, named by its path (`1.weight`).
    public let variables: [OptimizedTensor]

    public init(_ model: any Layer) {
        variables = model.namedParameters(prefix: "").map {
            OptimizedTensor(name: $0.name, value: $0.parameter.value, gradient: $0.parameter.gradient)
        }
    }

    public var name: String { "ref" }
    public func prepareForward(iteration: Int) {}
    public func pullBack(iteration: Int) {}
    public func afterStep(_ step: StepInfo) {}
    public func prepareEvaluation(quantized: Bool) {}
}
