import ArgumentParser
import Benchmarks
import Foundation
import NeuralNet
import Quantization

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

    func run() throws {
        guard repeats >= 1, steps >= 1 else { throw CommandError("--repeats and --steps must be ≥ 1") }
        let specs = try method.map { text in try MethodSpec(parsing: text) }
        let rows = try StepBenchmark(arch: arch, methods: specs, steps: steps, repeats: repeats).run()
        if json { return try printJSON(rows) }
        let reference = rows.first { $0.method == "ref" }
        print("\(arch.rawValue): weight-method work per step (fastest of \(repeats) runs of \(steps) steps)")
        let width = max(6, rows.map(\.method.count).max()!)
        print("method".padding(toLength: width, withPad: " ", startingAt: 0) + "  ms/step  s per 600 steps  × REF")
        for row in rows {
            let ratio = reference.map { String(format: "%6.2f", row.millisecondsPerStep / $0.millisecondsPerStep) } ?? "     –"
            print(row.method.padding(toLength: width, withPad: " ", startingAt: 0)
                  + String(format: "  %7.3f  %15.3f  ", row.millisecondsPerStep, row.secondsPer600Steps) + ratio)
        }
    }
}
