/// `pmf bench sgemm`: OpenBLAS's and GSL's reference sgemm timed at the same shapes in one run.
public struct SgemmComparison: Sendable {
    /// Every library at every shape, shape-major (OpenBLAS then gslcblas at the first shape, …).
    public let rates: [SgemmRate]

    /// Times OpenBLAS and gslcblas for about `seconds` each at each of `shapes`.
    /// - Throws: `BenchmarkError` when gslcblas cannot be opened.
    public static func measure(_ shapes: [GemmShape], seconds: Double) throws(BenchmarkError) -> SgemmComparison {
        let libraries = [SgemmLibrary.openBLAS, try SgemmLibrary.gslcblas()]
        return SgemmComparison(rates: shapes.flatMap { shape in libraries.map { SgemmRate.measure($0, shape, seconds: seconds) } })
    }

    /// Rates measured elsewhere (tests).
    public init(rates: [SgemmRate]) { self.rates = rates }

    /// Per distinct shape, in the order of their texts (`100x300x784`, …), OpenBLAS's GFLOP/s over
    /// gslcblas's (the first rate of each library at that shape).
    public var speedups: [(shape: GemmShape, ratio: Double)] {
        Set(rates.map(\.shape)).sorted { $0.description < $1.description }.compactMap { shape in
            func rate(_ library: String) -> Double? { rates.first { $0.shape == shape && $0.library == library }?.gflops }
            guard let fast = rate(SgemmLibrary.openBLASName), let reference = rate(SgemmLibrary.gslcblasName) else { return nil }
            return (shape, fast / reference)
        }
    }
}
