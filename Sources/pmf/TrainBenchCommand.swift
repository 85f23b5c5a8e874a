import ArgumentParser
import Benchmarks
import Foundation
import NeuralNet
import Quantization

/// `pmf bench train`: training throughput of this engine beside PyTorch's anchor script, the sgemm
/// floor and the machine's peak multiply-add rate, in one run.
struct TrainBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training throughput beside PyTorch, the GEMM floor and the machine's peak multiply-add rate.",
        discussion: """
        The LeNets train on all 60 000 Fashion-MNIST training images per epoch (batch 100); the CIFAR-shaped \
        networks (vgg16, resnet18, resnet-tiny) on --images Gaussian 32×32×3 images with 10 classes (batch 128, \
        no augmentation, no dataset needed); Adam 1e-3 throughout. "s/epoch" is the time of one epoch of the \
        dataset's standard training set (60 000 or 50 000 images): measured for the LeNets, extrapolated from \
        the timed images for the others. benchmarks/torch_anchor.py trains the same network (from this \
        engine's layer list) on the same images with PyTorch's kernels when --python names an interpreter \
        with torch. The GEMM floor is the epoch's matrix-product FLOPs divided by the sgemm GFLOP/s measured \
        in the same run at 100×300×784 with OpenBLAS's threads; "% peak" is the rate of those FLOPs against \
        the peak multiply-add rate of all cores (independent vector FMA chains); "× REF" is a run's time \
        relative to REF's in the same engine; "peak MB" is the process's peak resident memory during the run, \
        the data included. Each (network, method) is timed --repeats times, interleaved with the others, and \
        the fastest is reported for both engines: on a shared machine the minimum is the figure least \
        disturbed by other work.
        """)

    @Option(parsing: .upToNextOption, help: "Networks to time.") var arch: [Architecture] = [.lenet300, .lenet5]
    @Option(parsing: .upToNextOption, help: "Methods to time (method specs), e.g. ref bc pmf.") var method: [String] = ["ref", "bc", "pmf"]
    @Option(help: "Epochs per timed run of a LeNet.") var epochs = 1
    @Option(help: "Synthetic images per timed run of a CIFAR-shaped network (a multiple of its batch of 128).") var images = 1280
    @Option(help: "Timed runs per network and method; the fastest is reported.") var repeats = 3
    @Option(help: "Folder with Fashion-MNIST (default: \(DatasetKind.fashionMNISTPackageFolder)).") var data: String?
    @Option(help: "Python interpreter with torch, to run the PyTorch anchor beside this engine.") var python: String?
    @Option(help: "The anchor script.") var anchor = "benchmarks/torch_anchor.py"
    @Option(parsing: .upToNextOption, help: "How this engine's convolutions form their products, each timed: winograd, gemm.")
    var convolution: [String] = ["winograd"]
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        guard repeats >= 1, epochs >= 1, images >= 128, images % 128 == 0 else {
            throw CommandError("--repeats and --epochs must be ≥ 1, --images a positive multiple of 128")
        }
        if python != nil, !FileManager.default.fileExists(atPath: anchor) {
            throw CommandError("\(anchor): anchor script not found; pass --anchor PATH")
        }
        var benchmark = TrainingBenchmark(networks: arch, methods: try method.map { try MethodSpec(parsing: $0) })
        (benchmark.epochs, benchmark.images, benchmark.repeats, benchmark.dataFolder) = (epochs, images, repeats, data)
        benchmark.convolutions = try convolution.map { name in
            guard let algorithm = ConvolutionAlgorithm(rawValue: name) else {
                throw CommandError("--convolution is '\(name)'; use one of \(ConvolutionAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return algorithm
        }
        benchmark.anchor = python.map { TorchAnchor(python: $0, script: anchor) }
        let report = try benchmark.run()
        if json { return try printJSON(report) }
        print(String(format: "sgemm at 100×300×784: %.1f GFLOP/s (fastest of %d rounds)", report.sgemmGflops, repeats))
        if let peak = report.multiplyAddPeak {
            print(String(format: "peak multiply-add rate: %.1f GFLOP/s (%d threads, %d-lane FMA)", peak.gflops, peak.threads, peak.lanes))
        }
        print("arch        engine   method  conv      s/epoch  × REF  samples/s  × PyTorch  peak MB  GEMM floor s  × floor  % peak")
        for row in report.results {
            let speedup = report.speedupOverPyTorch(row).map { String(format: "%9.2f", $0) } ?? "        –"
            let cost = report.costOverREF(row).map { String(format: "%5.2f", $0) } ?? "    –"
            let memory = row.peakMemoryBytes.map { String(format: "%7.0f", Double($0) / 1_048_576) } ?? "      –"
            var floor = "           –        –"
            if let seconds = row.gemmFloorSeconds, let multiple = row.floorMultiple { floor = String(format: "%12.2f  %7.2f", seconds, multiple) }
            let fraction = row.peakFraction.map { String(format: "  %5.1f", 100 * $0) } ?? "      –"
            // Padded in Swift: Foundation on Linux ignores the width of %@.
            let label = [(row.arch, 11), (row.engine.rawValue, 8), (row.method, 7), (row.convolution?.rawValue ?? "–", 8)].map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
            print(label.joined(separator: " ") + String(format: " %8.2f  ", row.secondsPerEpoch) + cost
                  + String(format: "  %9.0f  ", row.samplesPerSecond) + speedup + "  " + memory + "  " + floor + fraction)
        }
    }
}
