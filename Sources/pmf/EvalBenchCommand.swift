import ArgumentParser
import Benchmarks
import Foundation
import NeuralNet

/// `pmf bench eval`: the time one evaluation pass (`accuracy(of:on:)`, as the trainer's validation
/// runs it) takes, apart from data loading and training.
struct EvalBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Seconds per evaluation of a network on --images images (what each trace row's validation costs, twice).",
        discussion: """
        Builds the network with seeded random weights, draws --images seeded random images (MNIST-sized for the \
        LeNets and the MLP, CIFAR-sized otherwise) and runs accuracy(of:on:) on them --repeats times; the fastest \
        run is reported. --json adds a digest of the logits' bits from one more evaluation (equal across runs \
        that compute the same numbers, e.g. under any PMFKIT_THREADS). The evaluations are also the hook for \
        counting instructions: valgrind --tool=callgrind --toggle-collect='*evaluateOnce*' \
        --dump-after='*evaluateOnce*' pmf bench eval --repeats 2 counts the first and the second evaluation apart.
        """)

    @Option(parsing: .upToNextOption, help: "Networks to time.") var arch: [Architecture] = [.lenet300, .lenet5]
    @Option(help: "Images per evaluation.") var images = 10_000
    @Option(help: "Images per batch.") var batchSize = evaluationBatchSize
    @Option(help: "Timed evaluations per network; the fastest is reported.") var repeats = 3
    @Flag(help: "Print one JSON array, a row per network.") var json = false

    func run() throws {
        guard repeats >= 1, images >= 1, batchSize >= 1 else { throw CommandError("--repeats, --images and --batch-size must be ≥ 1") }
        let rows = arch.map { EvaluationBenchmark.measure($0, images: images, batchSize: batchSize, repeats: repeats, digest: json) }
        if json { return try printJSON(rows) }
        print("evaluation of \(images) random images in batches of \(batchSize) (fastest of \(repeats) runs)")
        print("network     seconds   images/s")
        for row in rows {
            print(row.arch.padding(toLength: 10, withPad: " ", startingAt: 0) + String(format: "  %7.3f  %9.0f", row.seconds, row.imagesPerSecond))
        }
    }
}
