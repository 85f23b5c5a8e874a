@testable import Benchmarks
import Testing

/// The sgemm libraries against a triple loop, and the rate arithmetic against hand computations.
@Suite struct SgemmTests {
    /// C = A·B by the definition, c_ij = Σ_l a_il b_lj, in Double.
    func naiveProduct(m: Int, n: Int, k: Int, _ a: [Float], _ b: [Float]) -> [Double] {
        (0 ..< m * n).map { index in
            let (i, j) = (index / n, index % n)
            return (0 ..< k).reduce(0.0) { $0 + Double(a[i * k + $1]) * Double(b[$1 * n + j]) }
        }
    }

    @Test(arguments: ["gslcblas", "openblas"])
    func aLibraryMultipliesLikeTheTripleLoop(library name: String) throws {
        let library = name == "gslcblas" ? try SgemmLibrary.gslcblas() : SgemmLibrary.openBLAS
        #expect(library.name == name)
        let (m, n, k) = (3, 5, 4)  // no two sizes equal, so a transposed or misstrided call shows
        let a = (0 ..< m * k).map { Float($0 % 7) - 2.5 }, b = (0 ..< k * n).map { Float(($0 * 3) % 11) / 4 - 1 }
        var c = [Float](repeating: 99, count: m * n)  // overwritten, not added to
        library.multiply(m: m, n: n, k: k, a, b, into: &c)
        let expected = naiveProduct(m: m, n: n, k: k, a, b)
        for (x, y) in zip(c, expected) { #expect(close(Double(x), y, tolerance: 1e-6), "\(name): \(c) against \(expected)") }
    }

    @Test func theRateIsTwoMNKFlopsPerSecond() {
        let shape = GemmShape(m: 100, n: 300, k: 784)
        #expect(shape.flops == 47_040_000)
        #expect(shape.description == "100x300x784")
        #expect(close(SgemmRate.gflops(shape, seconds: 0.01), 4.704))
    }

    @Test func aMeasurementCallsAtLeastTwiceAndReportsAPositiveRate() {
        let rate = SgemmRate.measure(.openBLAS, GemmShape(m: 4, n: 3, k: 2), seconds: 0)
        #expect(rate.calls >= 2 && rate.gflops > 0 && rate.library == "openblas")
    }

    @Test func speedupsAreOpenBLASOverGslcblasPerShapeInTextOrder() throws {
        let small = GemmShape(m: 8, n: 8, k: 8), large = GemmShape(m: 100, n: 300, k: 784)
        let comparison = SgemmComparison(rates: [
            SgemmRate(shape: small, library: "openblas", gflops: 6, calls: 10), SgemmRate(shape: small, library: "gslcblas", gflops: 4, calls: 10),
            SgemmRate(shape: large, library: "openblas", gflops: 90, calls: 3), SgemmRate(shape: large, library: "gslcblas", gflops: 1.5, calls: 2),
        ])
        let speedups = comparison.speedups
        #expect(speedups.map(\.shape) == [large, small])  // "100x300x784" < "8x8x8"
        #expect(speedups.map(\.ratio) == [60, 1.5])
        let row = try jsonObject(comparison.rates[0])
        #expect(Set(row.keys) == ["m", "n", "k", "library", "gflops", "calls"])
        #expect(row["m"] as? Int == 8 && row["library"] as? String == "openblas")
    }
}
