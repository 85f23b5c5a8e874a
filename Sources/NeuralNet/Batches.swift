import Simplex

/// Mini-batches of a dataset in a seeded random order, or in given orders, copied into reusable
/// tensors. With `augment`, each training image is randomly cropped from a 4-pixel zero-padded copy
/// and flipped horizontally with probability ½ (CIFAR).
public final class BatchLoader {
    /// The dataset batches are drawn from.
    public let data: Dataset
    /// Images per batch.
    public let batchSize: Int
    /// Whether training batches are randomly cropped and flipped.
    public let augment: Bool
    /// The current batch's images [B, H, W, C] and labels.
    public let images = Tensor(shape: [0])
    public private(set) var labels: [Int32] = []
    private var order: [Int]
    /// Each epoch's order when given (`startEpoch` takes them instead of shuffling).
    public let orders: BatchOrders?

    /// A loader over `data` in index order until the first `shuffle` or `startEpoch`; the last,
    /// partial batch is kept. With `orders` (permutations of `data`'s indices), epoch e uses the e-th.
    public init(_ data: Dataset, batchSize: Int, augment: Bool = false, orders: BatchOrders? = nil) {
        precondition(batchSize >= 1, "batch size must be at least 1")
        precondition(orders.map { $0.images == data.count } ?? true, "batch orders of another training set")
        self.data = data
        self.batchSize = batchSize
        self.augment = augment
        self.orders = orders
        order = Array(0 ..< data.count)
    }

    /// Batches per epoch; the last, partial batch is kept.
    public var batchesPerEpoch: Int { (data.count + batchSize - 1) / batchSize }

    /// Draws a new order for the next epoch.
    public func shuffle(using random: RandomSource) { random.shuffle(&order) }

    /// Sets the order of epoch `epoch` (0-based): the given one, or a shuffle drawn from `random`
    /// (which then draws nothing when orders are given).
    public func startEpoch(_ epoch: Int, using random: RandomSource) {
        if let orders { order = orders.epochs[epoch] } else { shuffle(using: random) }
    }

    /// Restores the order in use (for checkpoints).
    public var currentOrder: [Int] {
        get { order }
        set { precondition(newValue.sorted() == Array(0 ..< data.count), "not a permutation of the dataset"); order = newValue }
    }

    /// Loads batch number `index` of the current order into `images` and `labels`.
    public func load(batch index: Int, random: RandomSource? = nil) {
        let start = index * batchSize, end = min(start + batchSize, data.count)
        let size = data.imageSize
        images.resize(to: [end - start] + data.imageShape)
        if labels.count != end - start { labels = Array(repeating: 0, count: end - start) }
        data.images.withUnsafeBufferPointer { source in
            for (slot, item) in order[start ..< end].enumerated() {
                labels[slot] = data.labels[item]
                let from = source.baseAddress! + item * size, to = images.data + slot * size
                if augment, let random {
                    cropAndFlip(from, to, dx: random.integer(below: 9) - 4, dy: random.integer(below: 9) - 4,
                                flip: random.integer(below: 2) == 1)
                } else {
                    to.update(from: from, count: size)
                }
            }
        }
    }

    /// Copies an image shifted by (dx, dy) with zeros outside, optionally mirrored left–right.
    private func cropAndFlip(_ from: UnsafePointer<Float>, _ to: UnsafeMutablePointer<Float>, dx: Int, dy: Int, flip: Bool) {
        let (h, w, c) = (data.imageShape[0], data.imageShape[1], data.imageShape[2])
        for y in 0 ..< h {
            for x in 0 ..< w {
                let sy = y + dy, sx = (flip ? w - 1 - x : x) + dx
                let target = to + (y * w + x) * c
                if sy >= 0 && sy < h && sx >= 0 && sx < w {
                    target.update(from: from + (sy * w + sx) * c, count: c)
                } else {
                    target.update(repeating: 0, count: c)
                }
            }
        }
    }
}

/// A fixed batch order for a whole run: one permutation of the training set's indices per epoch
/// (`pmf train --batch-order`, docs/crosscheck.md). Epoch e's batch b holds the images
/// `epochs[e][b·B ..< (b+1)·B]` for batch size B, the last batch possibly shorter.
public struct BatchOrders: Sendable, Equatable {
    /// The permutations, epoch by epoch.
    public let epochs: [[Int]]
    /// The size of the training set they permute.
    public let images: Int

    /// Orders over a training set of `images` images.
    /// - Throws: `DataError` naming the first epoch whose order is not a permutation of 0 ..< `images`.
    public init(_ epochs: [[Int]], images: Int) throws(DataError) {
        for (epoch, order) in epochs.enumerated() {
            var seen = [Bool](repeating: false, count: images)
            var valid = order.count == images
            for index in order where valid {
                valid = (0 ..< images).contains(index) && !seen[index]
                if valid { seen[index] = true }
            }
            guard valid else {
                throw DataError("the batch order of epoch \(epoch) is not a permutation of the \(images) training images 0 ..< \(images)")
            }
        }
        self.epochs = epochs
        self.images = images
    }
}
