import CKernels

/// The machine's peak single-precision multiply-add rate: every worker runs independent chains of
/// vector FMAs (`ck_fma_chains`, nothing read from memory) at once, at each vector width the
/// processor has, and the fastest rate is kept. The ceiling no kernel of a training step can pass,
/// against which `pmf bench train` reports each engine's matrix-product rate.
public struct MultiplyAddPeak: Sendable, Encodable {
    /// Floating-point operations per second over all workers, in units of 10⁹ (an FMA counts as two).
    public let gflops: Double
    /// The vector width, in float lanes, that reached it (8: AVX2, 16: AVX-512).
    public let lanes: Int
    /// Threads that ran chains at once (`workerCount`).
    public let threads: Int

    /// Measures the rate for about `seconds` per vector width, the fastest of rounds of 2²² iterations;
    /// nil where the processor has no vector FMA.
    public static func measure(seconds: Double = 0.5) -> MultiplyAddPeak? {
        let widest = Int(ck_fma_lanes())
        var best: MultiplyAddPeak?
        for lanes in [8, 16] where lanes <= widest {
            let iterations = 1 << 22
            let clock = ContinuousClock()
            var fastest = Duration.seconds(1e9)
            let start = clock.now
            repeat {
                let began = clock.now
                WorkerTeam.shared.run(chunks: workerCount) { _ in _ = ck_fma_chains(iterations, Int32(lanes)) }
                fastest = min(fastest, clock.now - began)
            } while clock.now - start < .seconds(seconds)
            let operations = Double(workerCount) * Double(iterations) * 24 * Double(lanes)
            let rate = operations / fastest.inSeconds / 1e9
            if rate > best?.gflops ?? 0 { best = MultiplyAddPeak(gflops: rate, lanes: lanes, threads: workerCount) }
        }
        return best
    }
}
