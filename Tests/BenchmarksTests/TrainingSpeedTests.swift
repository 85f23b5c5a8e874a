@testable import Benchmarks
import Support
import Testing

/// The floor, peak and ratio arithmetic of `pmf bench train` against hand computations.
@Suite struct TrainingSpeedTests {
    let ours = TrainingSpeed(arch: "lenet300", engine: .pmfkit, method: "PMF", secondsPerEpoch: 8, samplesPerSecond: 7500, peakMemoryBytes: 1 << 20)
    let theirs = TrainingSpeed(arch: "lenet300", engine: .pytorch, method: "PMF", secondsPerEpoch: 10, samplesPerSecond: 6000, peakMemoryBytes: nil)

    @Test func theFloorIsTheEpochsFlopsAtTheSgemmRate() {
        // F = 4.704e11 FLOPs at 117.6 GFLOP/s is 4 s; 8 s is 2 floors; 4.704e11 / 8 s = 58.8 GFLOP/s of a 200 GFLOP/s peak.
        let placed = ours.placed(epochFlops: 4.704e11, sgemmGflops: 117.6, peakGflops: 200)
        #expect(close(placed.gemmFloorSeconds!, 4))
        #expect(close(placed.floorMultiple!, 2))
        #expect(close(placed.peakFraction!, 0.294))
        let torch = theirs.placed(epochFlops: 4.704e11, sgemmGflops: 117.6, peakGflops: 200)
        #expect(torch.gemmFloorSeconds == nil && torch.floorMultiple == nil)  // the floor is of this engine's GEMM
        #expect(close(torch.peakFraction!, 0.2352))
        #expect(ours.placed(epochFlops: 4.704e11, sgemmGflops: 117.6, peakGflops: nil).peakFraction == nil)
    }

    @Test func ratiosAreAgainstREFInTheSameEngineAndPyTorchForTheSameMethod() {
        let reference = TrainingSpeed(arch: "lenet300", engine: .pmfkit, method: "REF", secondsPerEpoch: 5, samplesPerSecond: 12000, peakMemoryBytes: nil)
        let otherNetwork = TrainingSpeed(arch: "lenet5", engine: .pmfkit, method: "REF", secondsPerEpoch: 1, samplesPerSecond: 60000, peakMemoryBytes: nil)
        let report = TrainingBenchmarkReport(sgemmGflops: 100, multiplyAddPeak: nil, results: [otherNetwork, reference, ours, theirs])
        #expect(report.costOverREF(ours) == 1.6)        // 8 s / 5 s
        #expect(report.costOverREF(theirs) == nil)      // no PyTorch REF row
        #expect(report.speedupOverPyTorch(ours) == 1.25) // 7500 / 6000 images/s
        #expect(report.speedupOverPyTorch(reference) == nil)
    }

    @Test func theJSONKeysAreSnakeCaseAndMissingValuesLeftOut() throws {
        let row = try jsonObject(ours.placed(epochFlops: 8e9, sgemmGflops: 1, peakGflops: nil))
        #expect(Set(row.keys) == ["arch", "engine", "method", "seconds_per_epoch", "samples_per_second", "peak_memory_bytes", "gemm_floor_seconds"])
        #expect(row["engine"] as? String == "PMFKit" && row["gemm_floor_seconds"] as? Double == 8)
        let report = try jsonObject(TrainingBenchmarkReport(sgemmGflops: 1, multiplyAddPeak: nil, results: []))
        #expect(Set(report.keys) == ["sgemm_gflops", "results"])
    }
}
