/// How the variables an optimizer trains become the weights a network computes with.
///
/// Float training uses the weights themselves; a quantization method keeps its own variables
/// (w̃, ũ) and writes w = sign(w̃), w = P_β(ũ)·q, … into every parameter before the forward pass,
/// then turns ∂L/∂w into the gradient of its variables after the backward pass.
public protocol WeightMethod: AnyObject {
    /// A printable name with settings, e.g. `ref` or `pmf[rho=1.2,every=100]`.
    var name: String { get }
    /// The variables the optimizer steps, with their gradients.
    var variables: [OptimizedTensor] { get }
    /// Writes the training-time weights into the network's parameters (before the forward pass).
    func prepareForward(iteration: Int)
    /// Converts the parameters' gradients into the variables' gradients (after the backward pass).
    func pullBack(iteration: Int)
    /// Post-step work: clipping, annealing β, … (after the optimizer step).
    func afterStep(iteration: Int)
    /// Writes the weights to evaluate into the parameters: the quantized network when `quantized`,
    /// the fractional (relaxed) one otherwise.
    func prepareEvaluation(quantized: Bool)
}

/// Float training (the paper's REF): the optimizer steps the network's parameters directly.
public final class FloatWeights: WeightMethod {
    public let variables: [OptimizedTensor]

    public init(_ model: any Layer) {
        variables = model.namedParameters(prefix: "").map { OptimizedTensor(value: $0.parameter.value, gradient: $0.parameter.gradient) }
    }

    public var name: String { "ref" }
    public func prepareForward(iteration: Int) {}
    public func pullBack(iteration: Int) {}
    public func afterStep(iteration: Int) {}
    public func prepareEvaluation(quantized: Bool) {}
}
