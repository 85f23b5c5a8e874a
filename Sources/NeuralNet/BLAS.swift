import CGSL
import Simplex
import Support

/// Products below this many multiply-adds run on one thread: splitting them costs more than it saves.
private let parallelGemmThreshold = 1 << 17

/// The most blocks a matrix product is split into.
let gemmChunks = 4

/// Row-major single-precision GEMM through OpenBLAS:
/// C[m×n] ← α op(A) op(B) + β C, where op(A) is m×k and op(B) is k×n, and `lda`, `ldb`, `ldc` are
/// the row strides of A, B and C as stored.
///
/// Large products are split into blocks of C — by rows of C when m ≥ n or C is too narrow to split,
/// else by columns — each computed by a single-threaded sgemm. OpenBLAS's result for an entry
/// depends on the shape of the block it is computed in (its kernels for small blocks sum in another
/// order), so the blocks are `parallelFixedChunks`: their boundaries follow from m, n and k alone,
/// never from the number of workers, and the product has the same bits on any core count. At most
/// `gemmChunks` blocks: each block packs its own copy of the shared operand, so more blocks cost
/// more packing (four keep two or four cores busy).
/// `serial` keeps the product on the calling thread (for callers already inside a parallel region).
func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int, serial: Bool = false
) {
    // OpenBLAS runs single-threaded here: one set of threads (the worker team) serves both the
    // matrix products and the elementwise kernels, instead of OpenBLAS's own threads spinning
    // beside them on the same cores. (Something else, e.g. a benchmark, may have changed it.)
    if openblas_get_num_threads() != 1 { openblas_set_num_threads(1) }
    func block(rows: Range<Int>, columns: Range<Int>) {
        let aBlock = a + (transposeA ? rows.lowerBound : rows.lowerBound * lda)
        let bBlock = b + (transposeB ? columns.lowerBound * ldb : columns.lowerBound)
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(rows.count), Int32(columns.count), Int32(k), alpha, aBlock, Int32(lda), bBlock, Int32(ldb), beta,
                    c + rows.lowerBound * ldc + columns.lowerBound, Int32(ldc))
    }
    guard !serial && m * n * k >= parallelGemmThreshold else { return block(rows: 0 ..< m, columns: 0 ..< n) }
    if m >= n || n < 32 {
        parallelFixedChunks(count: m, minimumPerChunk: 16, alignment: 2, maximumChunks: gemmChunks) { _, start, count in block(rows: start ..< start + count, columns: 0 ..< n) }
    } else {
        parallelFixedChunks(count: n, minimumPerChunk: 16, alignment: 16, maximumChunks: gemmChunks) { _, start, count in block(rows: 0 ..< m, columns: start ..< start + count) }
    }
}
