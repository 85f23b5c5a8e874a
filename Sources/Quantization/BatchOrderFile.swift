import Foundation
import NeuralNet
import Support

/// A run's batch order as a `.npy` file (`pmf train --batch-order`, `--write-batch-order`,
/// docs/crosscheck.md): an integer array of shape [epochs, n] (`<i8`, NumPy's default; `<i4` is
/// read too) whose row e is the permutation of the n training images (indices after `--limit`) that
/// epoch e takes its batches from, batch b being entries b·B ..< (b+1)·B for batch size B.
public enum BatchOrderFile {
    /// Reads the orders for a run of `epochs` epochs over `images` training images.
    /// - Throws: `QuantizationError`, one line naming the file: missing or unreadable, a shape other
    ///   than [epochs, images], or a row that is not a permutation of 0 ..< images.
    public static func read(_ url: URL, epochs: Int, images: Int) throws -> BatchOrders {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw QuantizationError("\(url.path): missing; --batch-order reads an integer .npy of shape [epochs, training images] = [\(epochs), \(images)]")
        }
        let (shape, values) = try NPY.decodeIntegers(data, path: url.path)
        guard shape == [epochs, images] else {
            throw QuantizationError("\(url.path): shape \(shape), expected [\(epochs), \(images)] (one permutation of the \(images) training images per epoch)")
        }
        do {
            return try BatchOrders((0 ..< epochs).map { Array(values[$0 * images ..< ($0 + 1) * images]) }, images: images)
        } catch {
            throw QuantizationError("\(url.path): \(error.description)")
        }
    }

    /// Writes `orders` (one row per epoch) atomically.
    public static func write(_ orders: [[Int]], to url: URL) throws {
        try writeAtomically(NPY.encode(indices: orders.flatMap { $0 }, shape: [orders.count, orders.first?.count ?? 0]), to: url)
    }
}
