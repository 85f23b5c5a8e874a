import CGSL
import Foundation
import Testing

@Suite struct CGSLTests {
    /// The CBLAS our code calls must be OpenBLAS, not the gslcblas that libgsl itself depends on.
    @Test func cblasResolvesToOpenBLAS() {
        // The dynamic linker's global resolution of the symbol (RTLD_DEFAULT is the null handle).
        let address = UInt(bitPattern: dlsym(nil, "cblas_sgemm"))
        let library = mappedFile(containing: address) ?? "no mapped file"
        #expect(library.contains("openblas"), "cblas_sgemm comes from \(library)")
        #expect(String(cString: openblas_get_config()).contains("OpenBLAS"))
    }

    /// sgemm against a naive triple loop, with transposes, on non-square shapes.
    @Test func sgemmMatchesNaiveProduct() {
        let (m, n, k) = (7, 5, 11)
        let a = (0 ..< m * k).map { Float(($0 * 37) % 13) - 6 }
        let b = (0 ..< k * n).map { Float(($0 * 17) % 7) - 3 }
        var c = [Float](repeating: 1, count: m * n)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 2, a, Int32(k), b, Int32(n), 0.5, &c, Int32(n))
        for i in 0 ..< m {
            for j in 0 ..< n {
                let exact = 2 * (0 ..< k).reduce(Float(0)) { $0 + a[i * k + $1] * b[$1 * n + j] } + 0.5
                #expect(c[i * n + j] == exact)
            }
        }
        // C' = Bᵀ Aᵀ = (AB)ᵀ through the transpose flags.
        var ct = [Float](repeating: 0, count: m * n)
        cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(m), Int32(k), 2, b, Int32(n), a, Int32(k), 0, &ct, Int32(n))
        for i in 0 ..< m { for j in 0 ..< n { #expect(ct[i * n + j] == c[i * n + j] - 0.5) } }
    }

    /// GSL's root finder answers through the module: the root of x³ − 2 is 2^(1/3).
    @Test func gslRootFinderWorks() {
        var function = gsl_function(function: { x, _ in x * x * x - 2 }, params: nil)
        let solver = gsl_root_fsolver_alloc(cgsl_root_brent())!
        defer { gsl_root_fsolver_free(solver) }
        gsl_root_fsolver_set(solver, &function, 0, 3)
        for _ in 0 ..< 100 { gsl_root_fsolver_iterate(solver) }
        #expect(abs(gsl_root_fsolver_root(solver) - pow(2, 1.0 / 3)) < 1e-12)
    }

    /// The file mapped at `address` in this process, from /proc/self/maps.
    func mappedFile(containing address: UInt) -> String? {
        guard let data = FileHandle(forReadingAtPath: "/proc/self/maps")?.readDataToEndOfFile() else { return nil }
        let maps = String(decoding: data, as: UTF8.self)
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            let bounds = fields[0].split(separator: "-").compactMap { UInt($0, radix: 16) }
            if bounds.count == 2, bounds[0] <= address, address < bounds[1], fields.count >= 6 {
                return String(fields[5])
            }
        }
        return nil
    }
}
