import CGSL
import Foundation

/// A CBLAS implementation's single-precision GEMM, called through `cblas_sgemm`'s signature.
public struct SgemmLibrary {
    /// The name reports use: `openblas`, `gslcblas`.
    public let name: String
    /// Its `cblas_sgemm`.
    public let sgemm: cgsl_sgemm_pointer

    /// The names of the two libraries `pmf bench sgemm` compares.
    public static let openBLASName = "openblas", gslcblasName = "gslcblas"

    /// OpenBLAS, which the CGSL module links in place of gslcblas.
    public static var openBLAS: SgemmLibrary { SgemmLibrary(name: openBLASName, sgemm: cblas_sgemm) }

    /// GSL's reference CBLAS, opened at run time from `libgslcblas.so.0` (it cannot be linked beside
    /// OpenBLAS, which exports the same symbols). The library stays loaded for the process's life.
    /// - Throws: `BenchmarkError` naming the package to install when the library or its
    ///   `cblas_sgemm` cannot be found.
    public static func gslcblas() throws(BenchmarkError) -> SgemmLibrary {
        guard let handle = dlopen("libgslcblas.so.0", RTLD_NOW | RTLD_LOCAL), let symbol = dlsym(handle, "cblas_sgemm") else {
            throw BenchmarkError("cannot open GSL's libgslcblas.so.0; install libgsl-dev (apt-get install libgsl-dev)")
        }
        return SgemmLibrary(name: gslcblasName, sgemm: unsafeBitCast(symbol, to: cgsl_sgemm_pointer.self))
    }

    /// C = A·B for row-major A (m×k) and B (k×n), C overwritten (α = 1, β = 0).
    /// - Precondition: `a.count == m·k`, `b.count == k·n`, `c.count == m·n`.
    public func multiply(m: Int, n: Int, k: Int, _ a: [Float], _ b: [Float], into c: inout [Float]) {
        precondition(a.count == m * k && b.count == k * n && c.count == m * n, "sgemm: operand sizes do not match m, n, k")
        sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, &c, Int32(n))
    }
}
