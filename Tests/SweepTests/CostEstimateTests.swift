import Foundation
import NeuralNet
import Quantization
import Testing
@testable import Sweep

/// The cost model of `pmf sweep plan`: a run's length in iterations, Amdahl's law between the two
/// measured core counts, and the one-core measurement in a child process.
@Suite struct CostEstimateTests {
    /// 2 epochs of 1 000 images at batch 100 = 20 iterations, a row every 5 (4 rows), 10 000
    /// validation images each a third of an iteration per batch of 100: 20 + 4·10 000/300; twice the
    /// evaluated images for a method with a fractional network; the re-estimation batches added.
    @Test func aRunsLengthCountsItsEvaluations() throws {
        func spec(_ method: String, _ bn: BatchNormEvaluation) throws -> RunSpec {
            var spec = RunSpec()
            (spec.arch, spec.dataset, spec.method, spec.batchSize, spec.epochs, spec.logEvery, spec.bn) = (.lenet300, .mnist, try MethodSpec(parsing: method), 100, 2, 5, bn)
            return spec
        }
        func equivalents(_ method: String, _ bn: BatchNormEvaluation) throws -> Double {
            try RunCost.estimate(try spec(method, bn), trainingImages: 1000).iterationEquivalents
        }
        #expect(abs(try equivalents("ref", .running) - (20 + 4 * 10_000.0 / 300)) < 1e-9)
        #expect(abs(try equivalents("pmf", .running) - (20 + 4 * 20_000.0 / 300)) < 1e-9)
        #expect(abs(try equivalents("ref", .reestimate(batches: 3)) - (20 + 4 * 10_300.0 / 300)) < 1e-9)
        let cost = try RunCost.estimate(try spec("ref", .running), trainingImages: 1000)
        #expect(cost.iterations == 20 && cost.secondsPerIteration > 0 && cost.seconds == cost.secondsPerIteration * cost.iterationEquivalents)
    }

    func estimate(one: Double?, many: Double, cores: Int) -> CostEstimate {
        CostEstimate(runs: ["a", "b"], arch: "vgg16", dataset: "cifar10", method: "pmf", levels: "binary", batchSize: 128,
                     iterations: 1000, iterationEquivalents: 1100, cores: cores, secondsPerIteration: many,
                     secondsPerIterationOneCore: one)
    }

    /// t₁ = 3, t₂ = 2: p = (1 − 2/3)/(1 − 1/2) = 2/3; on 8 cores 3·(1/3 + 2/24) = 1.25 s per iteration.
    @Test func amdahlsLawPassesThroughBothMeasurements() throws {
        let e = estimate(one: 3, many: 2, cores: 2)
        #expect(abs(try #require(e.parallelFraction) - 2.0 / 3) < 1e-12)
        #expect(abs(try #require(e.secondsPerRun(cores: 1)) - 3 * 1100) < 1e-9)
        #expect(try #require(e.secondsPerRun(cores: 2)) == 2 * 1100)
        #expect(abs(try #require(e.secondsPerRun(cores: 8)) - 1.25 * 1100) < 1e-9)
        // Slower on more cores is no parallelism at all; without the one-core figure only N is known.
        #expect(estimate(one: 1, many: 1.5, cores: 2).parallelFraction == 0)
        #expect(estimate(one: nil, many: 2, cores: 2).secondsPerRun(cores: 4) == nil)
        #expect(estimate(one: nil, many: 2, cores: 2).secondsPerRun(cores: 2) == 2200)
    }

    /// The child is started with PMFKIT_THREADS=1 and the kind's settings; its printed number is the
    /// figure; a failing child is a one-line error naming the executable.
    @Test func oneCoreIsMeasuredInAChildWithOneWorker() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let script = folder + "/pmf"
        try write("""
            #!/bin/sh
            [ "$PMFKIT_THREADS" = 1 ] || exit 4
            [ "$*" = "sweep step-time --arch vgg16 --dataset cifar10 --method \(MethodSpec(kind: .pmf)) --levels binary --batch-size 128 --convolution gemm" ] || exit 5
            echo 0.25

            """, to: script)
        chmod(script, 0o755)
        var config = RunSpec()
        (config.arch, config.dataset, config.method, config.batchSize) = (.vgg16, .cifar10, MethodSpec(kind: .pmf), 128)
        config.convolution = .gemm
        #expect(try CostEstimate.measureOnOneCore(config, executable: URL(fileURLWithPath: script)) == 0.25)
        var winograd = config
        winograd.convolution = .winograd
        #expect(RunCost.iterationKind(winograd) != RunCost.iterationKind(config), "the algorithms' iterations are timed apart")
        config.batchSize = 64
        #expect(throws: SweepError.self) { try CostEstimate.measureOnOneCore(config, executable: URL(fileURLWithPath: script)) }
        do { _ = try CostEstimate.measureOnOneCore(config, executable: URL(fileURLWithPath: script)) } catch {
            #expect("\(error)".contains(script) && "\(error)".contains("status 5") && !"\(error)".contains("\n"))
        }
    }
}
