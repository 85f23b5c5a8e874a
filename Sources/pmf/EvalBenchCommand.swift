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
        run is reported. With --repeats 1 it is also the hook for counting instructions: \
        valgrind --tool=callgrind --toggle-collect='*evaluateOnce*' pmf bench eval --repeats 1.
        """)

    @Option(parsing: .upToNextOption, help: "Networks to time.") var arch: [Architecture] = [.lenet300, .lenet5]
    @Option(help: "Images per evaluation.") var images = 10_000
    @Option(help: "Timed evaluations per network; the fastest is reported.") var repeats = 3
    @Flag(help: "Print one JSON array, a row per network.") var json = false

    struct Row: Encodable { let arch: String; let images: Int; let seconds: Double; let images_per_s: Double; let accuracy: Double }

    func run() throws {
        guard repeats >= 1, images >= 1 else { throw CommandError("--repeats and --images must be ≥ 1") }
        let rows = arch.map { arch in
            let (model, data) = Self.network(arch, images: images)
            var best = (seconds: Double.infinity, accuracy: 0.0)
            for _ in 0 ..< repeats {
                let (accuracy, seconds) = timed { evaluateOnce(model, data) }
                best = (min(best.seconds, seconds), accuracy)
            }
            return Row(arch: arch.rawValue, images: images, seconds: best.seconds, images_per_s: Double(images) / best.seconds,
                       accuracy: best.accuracy)
        }
        if json { return try printJSON(rows) }
        print("evaluation of \(images) random images (fastest of \(repeats) runs)")
        print("network     seconds   images/s")
        for row in rows {
            print(row.arch.padding(toLength: 10, withPad: " ", startingAt: 0) + String(format: "  %7.3f  %9.0f", row.seconds, row.images_per_s))
        }
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
func evaluateOnce(_ model: Sequential, _ data: Dataset) -> Double {
    NeuralNet.accuracy(of: model, on: data)
}
