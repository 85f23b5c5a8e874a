/// The activation buffers of inference passes (`Layer.infer`).
///
/// A layer takes its output buffer from the workspace, and whoever has read that output gives it
/// back, so a pass through a network holds only the activations still to be read — two at a time
/// in a chain of layers, three inside a residual block — instead of one per layer, and the next
/// batch reuses them. The buffers live as long as the workspace, not the network: an evaluation
/// makes one, and its memory goes with it. A given-back buffer may be handed out again at once,
/// so its contents must not be read after `giveBack`.
public final class Workspace {
    /// Buffers given back, the most recent last (handed out again first).
    private var free: [Tensor] = []

    /// Buffers handed out and not yet given back.
    public private(set) var outstanding = 0

    /// Buffers the workspace has made so far: its peak number of live activations.
    public private(set) var buffers = 0

    /// An empty workspace.
    public init() {}

    /// A buffer of shape `shape` with unspecified contents, to be given back when read.
    public func take(_ shape: [Int]) -> Tensor {
        outstanding += 1
        guard let tensor = free.popLast() else {
            buffers += 1
            return Tensor(shape: shape)
        }
        tensor.resize(to: shape)
        return tensor
    }

    /// Returns a buffer from `take` for reuse.
    public func giveBack(_ tensor: Tensor) {
        precondition(outstanding > 0 && !free.contains { $0 === tensor }, "a buffer given back that the workspace had not handed out")
        outstanding -= 1
        free.append(tensor)
    }
}
