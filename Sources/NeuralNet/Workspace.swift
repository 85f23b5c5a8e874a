/// The buffers a pass needs only for a while: inference activations (`Layer.infer`), the gradients
/// a backward pass hands from layer to layer, and the convolutions' patch buffers and partial sums.
///
/// Whoever takes a buffer, or receives one from a layer, gives it back once it has read it, so a
/// pass holds only the buffers still to be read — two activations or gradients at a time in a chain
/// of layers, a few more inside a residual block — instead of one per layer, and the next pass
/// reuses them. A network's layers can share one workspace (`Sequential` keeps one for its passes
/// that are given none), so its scratch memory is that of its largest layer, not the sum over its
/// layers. The buffers live as long as the workspace: an evaluation makes one, and its memory goes
/// with it. A given-back buffer may be handed out again at once, so its contents must not be read
/// after `giveBack`. A workspace serves one pass at a time (no concurrent passes).
public final class Workspace {
    /// Buffers given back, to be handed out again.
    private var free: [Tensor] = []

    /// Buffers handed out and not yet given back.
    public private(set) var outstanding = 0

    /// Buffers the workspace has made so far: its peak number of live buffers.
    public private(set) var buffers = 0

    /// An empty workspace.
    public init() {}

    /// A buffer of shape `shape` with unspecified contents, to be given back when read: the smallest
    /// free buffer that holds it, else the largest free one grown to it, else a new one. (Growing
    /// only ever raises a capacity to a requested size, so passes that repeat the same requests
    /// settle after a few at buffers that serve them all without growing again.)
    public func take(_ shape: [Int]) -> Tensor {
        outstanding += 1
        let count = shape.reduce(1, *)
        /// Whether a buffer of capacity `a` serves better than one of capacity `b`.
        func better(_ a: Int, _ b: Int) -> Bool { (a >= count) != (b >= count) ? a >= count : a >= count ? a < b : a > b }
        guard let chosen = free.indices.min(by: { better(free[$0].capacity, free[$1].capacity) }) else {
            buffers += 1
            return Tensor(shape: shape)
        }
        let tensor = free.remove(at: chosen)
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
