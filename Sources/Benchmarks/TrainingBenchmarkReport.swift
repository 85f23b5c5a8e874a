import Support

/// What `TrainingBenchmark` measured: the sgemm rate behind the floor, the peak multiply-add rate
/// and every (network, engine, method)'s fastest speed, with the ratios `pmf bench train` prints.
public struct TrainingBenchmarkReport: Encodable, Sendable {
    /// The fastest sgemm rate at `TrainingBenchmark.floorShape`, GFLOP/s.
    public let sgemmGflops: Double
    /// The machine's peak multiply-add rate; nil without vector FMA.
    public let multiplyAddPeak: MultiplyAddPeak?
    /// The speeds, network-major in the order measured.
    public let results: [TrainingSpeed]

    /// A report of the given measurements.
    public init(sgemmGflops: Double, multiplyAddPeak: MultiplyAddPeak?, results: [TrainingSpeed]) {
        (self.sgemmGflops, self.multiplyAddPeak, self.results) = (sgemmGflops, multiplyAddPeak, results)
    }

    /// "× REF": t / t_REF, the row's epoch time over REF's on the same network, engine and convolution algorithm.
    public func costOverREF(_ row: TrainingSpeed) -> Double? {
        results.first { $0.arch == row.arch && $0.engine == row.engine && $0.convolution == row.convolution && $0.method == "REF" }.map { row.secondsPerEpoch / $0.secondsPerEpoch }
    }

    /// "× PyTorch": s / s_PyTorch, the row's images per second over PyTorch's for the same network and
    /// method (above 1: faster than PyTorch).
    public func speedupOverPyTorch(_ row: TrainingSpeed) -> Double? {
        results.first { $0.arch == row.arch && $0.engine == .pytorch && $0.method == row.method }.map { row.samplesPerSecond / $0.samplesPerSecond }
    }

    private enum CodingKeys: String, CodingKey {
        case sgemmGflops = "sgemm_gflops", multiplyAddPeak = "multiply_add_peak", results
    }
}
