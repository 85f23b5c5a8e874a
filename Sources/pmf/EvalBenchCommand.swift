import ArgumentParser
import Foundation
import NeuralNet
import Simplex

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

    struct Row: Encodable {
        let arch: String
        let images, batch_size: Int
        let seconds, images_per_s, accuracy: Double
        let logits_digest: String?
    }

    func run() throws {
        guard repeats >= 1, images >= 1, batchSize >= 1 else { throw CommandError("--repeats, --images and --batch-size must be ≥ 1") }
        let rows = arch.map { arch in
            let (model, data) = Self.network(arch, images: images)
            var best = (seconds: Double.infinity, accuracy: 0.0)
            for _ in 0 ..< repeats {
                let (accuracy, seconds) = timed { evaluateOnce(model, data, batchSize: batchSize) }
                best = (min(best.seconds, seconds), accuracy)
            }
            return Row(arch: arch.rawValue, images: images, batch_size: batchSize, seconds: best.seconds,
                       images_per_s: Double(images) / best.seconds, accuracy: best.accuracy,
                       logits_digest: json ? Self.digest(model, data, batchSize: batchSize) : nil)
        }
        if json { return try printJSON(rows) }
        print("evaluation of \(images) random images in batches of \(batchSize) (fastest of \(repeats) runs)")
        print("network     seconds   images/s")
        for row in rows {
            print(row.arch.padding(toLength: 10, withPad: " ", startingAt: 0) + String(format: "  %7.3f  %9.0f", row.seconds, row.images_per_s))
        }
    }

    /// FNV-1a (64 bits) over the bit patterns of every logit, in image order, as hexadecimal.
    static func digest(_ model: Sequential, _ data: Dataset, batchSize: Int) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        evaluate(model, on: data, batchSize: batchSize) { logits, _ in
            for value in logits.buffer { hash = (hash ^ UInt64(value.bitPattern)) &* 0x100_0000_01b3 }
        }
        return String(hash, radix: 16)
    }

    /// `arch` with seeded random weights and `images` seeded random images in [0, 1) with random labels.
    static func network(_ arch: Architecture, images: Int) -> (Sequential, Dataset) {
        let random = RandomSource(seed: 1)
        let shape = [.mlp, .lenet300, .lenet5].contains(arch) ? [28, 28, 1] : [32, 32, 3]
        let model = arch.build(imageShape: shape, classes: 10)
        initialize(model, using: random)
        let pixels = (0 ..< images * shape.reduce(1, *)).map { _ in Float(random.uniform(0, 1)) }
        let labels = (0 ..< images).map { _ in Int32(random.integer(below: 10)) }
        return (model, Dataset(images: pixels, labels: labels, imageShape: shape, classes: 10))
    }
}

/// One evaluation, kept out of line so that an instruction counter can count it alone.
@inline(never)
func evaluateOnce(_ model: Sequential, _ data: Dataset, batchSize: Int) -> Double {
    NeuralNet.accuracy(of: model, on: data, batchSize: batchSize)
}
