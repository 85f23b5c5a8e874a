@testable import Benchmarks
import NeuralNet
import Quantization
import Testing

/// `pmf bench step` and `pmf bench eval` on tiny sizes: the rows they report and their arithmetic.
@Suite struct WorkTimingTests {
    @Test func theMNISTNetworksGetMNISTImages() {
        #expect([Architecture.mlp, .lenet300, .lenet5].allSatisfy { $0.benchmarkDataset == .fashionMNIST })
        #expect([Architecture.vgg16, .resnet18, .resnetTiny].allSatisfy { $0.benchmarkDataset == .cifar10 })
        #expect(EvaluationBenchmark.network(.lenet5, images: 3).1.imageShape == [28, 28, 1])
        #expect(EvaluationBenchmark.network(.resnetTiny, images: 3).1.imageShape == [32, 32, 3])
    }

    @Test func aStepSpeedIsInMillisecondsAndPerSixHundredSteps() throws {
        let speed = StepSpeed(method: "pmf", secondsPerStep: 0.002)
        #expect(close(speed.millisecondsPerStep, 2) && close(speed.secondsPer600Steps, 1.2))
        #expect(Set(try jsonObject(speed).keys) == ["method", "milliseconds_per_step", "seconds_per_600_steps"])
        let rows = try StepBenchmark(arch: .mlp, methods: [MethodSpec(parsing: "ref"), MethodSpec(parsing: "pmf")], steps: 2, repeats: 2).run()
        #expect(rows.map(\.method) == ["ref", try MethodSpec(parsing: "pmf").description])
        #expect(rows.allSatisfy { $0.millisecondsPerStep > 0 && close($0.secondsPer600Steps, $0.millisecondsPerStep * 0.6) })
    }

    @Test func anEvaluationReportsItsRateAndAReproducibleDigest() throws {
        let speed = EvaluationBenchmark.measure(.mlp, images: 7, batchSize: 3, repeats: 2, digest: true)
        #expect(speed.arch == "mlp" && speed.images == 7 && speed.batchSize == 3)
        #expect(close(speed.imagesPerSecond, 7 / speed.seconds))
        let (model, data) = EvaluationBenchmark.network(.mlp, images: 7)
        #expect(speed.logitsDigest == EvaluationBenchmark.logitsDigest(model, data, batchSize: 3))  // the same network and images, rebuilt
        let (other, _) = EvaluationBenchmark.network(.lenet300, images: 7)
        #expect(EvaluationBenchmark.logitsDigest(other, data, batchSize: 3) != speed.logitsDigest)
        #expect(EvaluationBenchmark.measure(.mlp, images: 7, batchSize: 3, repeats: 1, digest: false).logitsDigest == nil)
    }
}
