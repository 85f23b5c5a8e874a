import NeuralNet

/// One engine's training speed for one (network, method) in `pmf bench train`, and where it stands
/// against the GEMM floor and the machine's peak multiply-add rate.
public struct TrainingSpeed: Encodable, Sendable {
    /// The engine that trained.
    public enum Engine: String, Encodable, Sendable {
        case pmfkit = "PMFKit", pytorch = "PyTorch"
    }

    /// The network's name (`Architecture.rawValue`).
    public let arch: String
    /// The engine.
    public let engine: Engine
    /// The method in capitals: `REF`, `BC`, `PMF`, …
    public let method: String
    /// PMFKit's rows: how its convolutions formed their products; nil for PyTorch's.
    public let convolution: ConvolutionAlgorithm?
    /// Seconds of one epoch of the dataset's standard training set (`TrainingWorkload.epochImages`).
    public let secondsPerEpoch: Double
    /// Training images per second.
    public let samplesPerSecond: Double
    /// The peak resident memory of the process that trained, in bytes, when known.
    public let peakMemoryBytes: Int?
    /// PMFKit's rows: F / (R_sgemm · 10⁹), the epoch's matrix-product FLOPs F at the measured sgemm rate
    /// R_sgemm GFLOP/s (`placed(epochFlops:sgemmGflops:peakGflops:)`).
    public private(set) var gemmFloorSeconds: Double?
    /// (F / t) / (R_peak · 10⁹): the epoch's matrix-product FLOPs per second of this row's epoch time t
    /// against the peak multiply-add rate R_peak GFLOP/s.
    public private(set) var peakFraction: Double?

    /// A measured speed, not yet placed against the floor and the peak.
    public init(arch: String, engine: Engine, method: String, convolution: ConvolutionAlgorithm? = nil, secondsPerEpoch: Double,
                samplesPerSecond: Double, peakMemoryBytes: Int?) {
        (self.arch, self.engine, self.method, self.convolution) = (arch, engine, method, convolution)
        (self.secondsPerEpoch, self.samplesPerSecond, self.peakMemoryBytes) = (secondsPerEpoch, samplesPerSecond, peakMemoryBytes)
    }

    /// This speed with `gemmFloorSeconds` (PMFKit's rows only; the floor is of this engine's GEMM)
    /// and `peakFraction` (nil without a peak) filled in from the epoch's matrix-product FLOPs.
    public func placed(epochFlops: Double, sgemmGflops: Double, peakGflops: Double?) -> TrainingSpeed {
        var row = self
        if engine == .pmfkit { row.gemmFloorSeconds = epochFlops / (sgemmGflops * 1e9) }
        row.peakFraction = peakGflops.map { epochFlops / secondsPerEpoch / ($0 * 1e9) }
        return row
    }

    /// t / floor: how many GEMM floors this row's epoch takes.
    public var floorMultiple: Double? { gemmFloorSeconds.map { secondsPerEpoch / $0 } }

    private enum CodingKeys: String, CodingKey {
        case arch, engine, method, convolution, secondsPerEpoch = "seconds_per_epoch", samplesPerSecond = "samples_per_second"
        case peakMemoryBytes = "peak_memory_bytes", gemmFloorSeconds = "gemm_floor_seconds", peakFraction = "peak_fraction"
    }
}
