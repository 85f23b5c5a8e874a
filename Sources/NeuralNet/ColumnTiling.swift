import CKernels
import Simplex
import Support

/// Per-column work on an N×F row-major matrix (BatchNorm's statistics, bias addition and bias
/// gradients) as full-width SIMD passes.
///
/// With F = 20 channels a row is two and a half `SIMD8` vectors, so row-by-row loops spend most of
/// their time on remainders. Instead the matrix is read as blocks of P = R·F floats, R = 8/gcd(F, 8)
/// rows — a multiple of 8 — and every per-column vector is *tiled* to P floats (entry r·F + j holds
/// column j's value). The CKernels `ck_tiled_*` kernels then run over any whole number of blocks in
/// one call. Blocks are split into `parallelFixedChunks`, each chunk accumulating into its own tiled
/// partial sums, which `fold` adds up in a fixed order (chunks, then the R row slots), so results
/// depend only on the matrix, not on the number of workers.
final class ColumnTiling {
    /// F, the number of columns.
    let columns: Int
    /// P = R·F floats per block.
    let period: Int
    /// Per-chunk tiled accumulators: `fixedChunkCount` × `accumulators` × P floats.
    private let partials: Tensor
    private let accumulators: Int
    /// A row vector tiled to P floats, for `addRow`.
    private let tiledRow: Tensor

    /// A tiling of `columns`-wide rows with room for `accumulators` tiled sums per chunk.
    init(columns: Int, accumulators: Int = 2) {
        precondition(columns > 0, "ColumnTiling needs columns")
        var (a, b) = (columns, 8)
        while b != 0 { (a, b) = (b, a % b) }
        self.columns = columns
        period = columns * (8 / a)
        self.accumulators = accumulators
        partials = Tensor(shape: [fixedChunkCount * accumulators * period])
        tiledRow = Tensor(shape: [period])
    }

    /// y[r, j] += v[j] for every row of the `count` floats of y (a bias added to a layer's output).
    func addRow(_ values: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, count: Int) {
        let tiled = tiledRow.data
        tile(values, into: tiled)
        forEachChunk(count: count) { offset, length in ck_tiled_add(tiled, y + offset, length, self.period) }
    }

    /// sums[j] = Σ_r x[r, j] over the `count` floats of x (a bias gradient).
    func columnSums(_ x: UnsafePointer<Float>, count: Int, into sums: UnsafeMutablePointer<Float>) {
        sum(count: count, into: sums) { offset, length, sum in ck_tiled_sum(x + offset, sum, length, self.period) }
    }

    /// t[r·F + j] = v[j] for every row slot r.
    func tile(_ values: UnsafePointer<Float>, into tiled: UnsafeMutablePointer<Float>) {
        for slot in stride(from: 0, to: period, by: columns) { (tiled + slot).update(from: values, count: columns) }
    }

    /// Calls `body(offset, length)` once per chunk of whole blocks of the `count` floats (the last
    /// block may be short), chunks split across the workers; `offset` is a multiple of P.
    func forEachChunk(count: Int, _ body: (Int, Int) -> Void) {
        forEachChunk(count: count) { _, offset, length in body(offset, length) }
    }

    private func forEachChunk(count: Int, _ body: (Int, Int, Int) -> Void) {
        let blocks = (count + period - 1) / period
        parallelFixedChunks(count: blocks, minimumPerChunk: max(1, 4_096 / period)) { chunk, first, blockCount in
            let offset = first * period
            body(chunk, offset, min(blockCount * period, count - offset))
        }
    }

    /// Column sums: `body(offset, length, accumulator)` adds each chunk's blocks into its tiled
    /// accumulators (zero at the start; accumulator a is P floats at `accumulator + a·P`); then
    /// `first[j]` (and `second[j]`) receive accumulator 0 (and 1) folded to one value per column.
    func sum(count: Int, into first: UnsafeMutablePointer<Float>, _ second: UnsafeMutablePointer<Float>? = nil,
             _ body: (Int, Int, UnsafeMutablePointer<Float>) -> Void) {
        precondition(accumulators >= (second == nil ? 1 : 2), "more sums than the tiling has accumulators")
        partials.zero()
        let base = partials.data, stride = accumulators * period
        forEachChunk(count: count) { chunk, offset, length in body(offset, length, base + chunk * stride) }
        fold(base, into: first)
        if let second { fold(base + period, into: second) }
    }

    /// sum[j] = Σ over chunks and row slots of the tiled accumulator starting at `tiled`.
    private func fold(_ tiled: UnsafePointer<Float>, into sum: UnsafeMutablePointer<Float>) {
        sum.update(repeating: 0, count: columns)
        for chunk in 0 ..< fixedChunkCount { addFolded(tiled + chunk * accumulators * period, into: sum) }
    }

    /// sum[j] += Σ_r t[r·F + j]: one tiled vector of P floats folded onto its F columns.
    func addFolded(_ tiled: UnsafePointer<Float>, into sum: UnsafeMutablePointer<Float>) {
        for slot in Swift.stride(from: 0, to: period, by: columns) { Kernels.add(tiled + slot, into: sum, count: columns) }
    }
}
