/// A trainable tensor with its gradient. A quantization method may overwrite `value` before the
/// forward pass (w = u·q, sign(w̃), …) and read `gradient` after the backward pass.
public final class Parameter {
    /// The role within its layer: "weight" or "bias".
    public let role: String
    /// The values the network computes with.
    public let value: Tensor
    /// ∂loss/∂value after the last backward pass (overwritten, not accumulated).
    public let gradient: Tensor

    /// A zero parameter of the given shape with a zero gradient.
    public init(role: String, shape: [Int]) {
        self.role = role
        value = Tensor(shape: shape)
        gradient = Tensor(shape: shape)
    }

    /// Number of scalar entries.
    public var count: Int { value.count }
}
