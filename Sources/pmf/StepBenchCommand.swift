import ArgumentParser
import Foundation
import NeuralNet
import Quantization
import Simplex

/// `pmf bench step`: the time a weight method adds to each training step, apart from the network.
struct StepBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "step",
        abstract: "Milliseconds per training step spent in the weight method and Adam, without the network's passes.",
        discussion: """
        For each method, runs what the trainer does around the forward and backward passes — the lift of the \
        variables into the weights, the pullback, Adam's step, the post-step work and the finiteness scan — \
        --steps times on the network's parameters with fixed random weight gradients. Each method is timed \
        --repeats times, interleaved with the others, and the fastest run is reported; REF's figure is Adam on \
        the weights alone.
        """)

    @Option(help: "Network whose parameters are used (MNIST-sized for the LeNets, CIFAR-sized otherwise).") var arch: Architecture = .lenet300
    @Option(parsing: .upToNextOption, help: "Methods to time (method specs).") var method: [String] = ["ref", "bc", "pgd", "pmf"]
    @Option(help: "Steps per timed run (600 = one epoch at batch 100).") var steps = 600
    @Option(help: "Timed runs per method; the fastest is reported.") var repeats = 5
    @Flag(help: "Print one JSON array, a row per method.") var json = false

    struct Row: Encodable { let method: String; let milliseconds_per_step: Double; let seconds_per_600_steps: Double }

    func run() throws {
        guard repeats >= 1, steps >= 1 else { throw CommandError("--repeats and --steps must be ≥ 1") }
        let specs = try method.map { text in try MethodSpec(parsing: text) }
        var best = [Double](repeating: .infinity, count: specs.count)
        for _ in 0 ..< repeats {
            for (index, spec) in specs.enumerated() { best[index] = min(best[index], try secondsPerStep(spec)) }
        }
        let rows = zip(specs, best).map { Row(method: $0.description, milliseconds_per_step: $1 * 1e3, seconds_per_600_steps: $1 * 600) }
        if json { return try printJSON(rows) }
        let reference = rows.first { $0.method == "ref" }
        print("\(arch.rawValue): weight-method work per step (fastest of \(repeats) runs of \(steps) steps)")
        let width = max(6, rows.map(\.method.count).max()!)
        print("method".padding(toLength: width, withPad: " ", startingAt: 0) + "  ms/step  s per 600 steps  × REF")
        for row in rows {
            let ratio = reference.map { String(format: "%6.2f", row.milliseconds_per_step / $0.milliseconds_per_step) } ?? "     –"
            print(row.method.padding(toLength: width, withPad: " ", startingAt: 0)
                  + String(format: "  %7.3f  %15.3f  ", row.milliseconds_per_step, row.seconds_per_600_steps) + ratio)
        }
    }

    /// One timed run: seconds per step of `spec`'s method work and Adam on `arch`'s parameters.
    private func secondsPerStep(_ spec: MethodSpec) throws -> Double {
        let random = RandomSource(seed: 1)
        let model = arch.build(imageShape: [.mlp, .lenet300, .lenet5].contains(arch) ? [28, 28, 1] : [32, 32, 3], classes: 10)
        initialize(model, using: random)
        let method = try spec.makeMethod(for: model, random: random)
        let adam = Adam(method.variables)
        let gradients = model.namedParameters(prefix: "").map(\.parameter.gradient)
        for tensor in gradients { for i in 0 ..< tensor.count { tensor[i] = Float(random.uniform(-1e-2, 1e-2)) } }
        let (_, elapsed) = try timed {
            for iteration in 0 ..< steps {
                try method.step(StepInfo(iteration: iteration, epoch: 0, learningRate: 1e-3, iterations: steps), optimizer: adam) {}
            }
        }
        return elapsed / Double(steps)
    }
}
