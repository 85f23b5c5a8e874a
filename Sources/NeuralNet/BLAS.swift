import CGSL

/// Row-major single-precision GEMM through OpenBLAS:
/// C[m×n] ← α op(A) op(B) + β C, where op(A) is m×k and op(B) is k×n, and `lda`, `ldb`, `ldc` are
/// the row strides of A, B and C as stored.
@inline(__always)
func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int
) {
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}
