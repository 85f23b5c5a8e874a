/// The name of a ``Projection`` without its parameters: which map onto the simplex, before β (and
/// softmax's pullback matrix) are chosen. `pmf project` takes it as `--projection`; the ũ
/// parametrisation of Algorithm 1 (`LiftedWeights` in Quantization) is built from one; and each
/// ``UpdateRuleKind`` names the projection that closes its step (``UpdateRuleKind/projection``).
public enum ProjectionKind: String, CaseIterable, Sendable {
    /// softmax(βx), the entropy-regularised projection.
    case softmax
    /// sparsemax(βx), the Euclidean projection.
    case sparsemax
    /// hardmax(x), the vertex at the largest entry; it takes no β.
    case hardmax

    /// The projection at inverse temperature β (ignored by hardmax); `jacobian` is softmax's
    /// pullback matrix (ignored by the others).
    @inlinable
    public func callAsFunction<T>(beta: T, jacobian: SoftmaxJacobian = .exact) -> Projection<T> {
        switch self {
        case .softmax: .softmax(beta: beta, jacobian: jacobian)
        case .sparsemax: .sparsemax(beta: beta)
        case .hardmax: .hardmax
        }
    }
}
