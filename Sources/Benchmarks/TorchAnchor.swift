import Foundation
import NeuralNet
import Quantization
import Support

/// PyTorch's speed on the same network and data: `benchmarks/torch_anchor.py` run by an interpreter
/// with torch, on the layer list this engine describes the network by (`ExportLayer.describe`), so
/// there is no second description of any network. The script prints one JSON line per method:
/// `{"method", "sec_per_epoch", "samples_per_s", "peak_rss_bytes", "test_accuracy"}`.
public struct TorchAnchor: Sendable {
    /// The Python interpreter.
    public let python: String
    /// The anchor script's path.
    public let script: String

    /// The methods the script trains; the others are left out of its runs.
    public static let methods: Set<String> = ["REF", "BC", "PMF"]

    /// An anchor run by `python` from `script`.
    public init(python: String, script: String) { (self.python, self.script) = (python, script) }

    /// Trains `network` on `workload`'s data with each of `methods` that the script knows, with
    /// `workerCount` threads, and returns PyTorch's speeds in the script's order (none, without
    /// running it, when it knows none of `methods`).
    /// - Throws: `BenchmarkError` when the script cannot be started, exits non-zero or prints a line
    ///   that does not parse; any error writing the layer list.
    public func speeds(_ network: Architecture, on workload: TrainingWorkload, methods: [String]) throws -> [TrainingSpeed] {
        let known = methods.filter(Self.methods.contains)
        guard !known.isEmpty else { return [] }
        let model = network.build(imageShape: workload.train.imageShape, classes: workload.train.classes)
        let layers = FileManager.default.temporaryDirectory.appendingPathComponent("pmf-bench-\(network.rawValue)-\(getpid()).json")
        struct Description: Encodable { let layers: [ExportLayer] }
        try jsonEncoder().encode(Description(layers: try ExportLayer.describe(model))).write(to: layers)
        defer { try? FileManager.default.removeItem(at: layers) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--layers", layers.path, "--methods", known.joined(separator: ","),
                             "--threads", String(workerCount)] + workload.anchorArguments
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { throw BenchmarkError("cannot run \(python): \(error.localizedDescription); pass an interpreter with torch") }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchmarkError("\(python) \(script) failed with status \(process.terminationStatus)") }
        return try Self.speeds(parsing: String(decoding: output, as: UTF8.self), arch: network.rawValue, epochImages: workload.epochImages,
                               source: script)
    }

    /// PyTorch's speeds from the script's output, one per non-empty line: samples/s s as printed,
    /// seconds per epoch `epochImages` / s (the epoch "s/epoch" reports, which for the CIFAR networks
    /// is not the epoch the script timed), peak memory as printed.
    /// - Throws: `BenchmarkError` naming `source`, the line and what was expected.
    public static func speeds(parsing output: String, arch: String, epochImages: Int, source: String) throws(BenchmarkError) -> [TrainingSpeed] {
        struct Line: Decodable { let method: String; let samples_per_s: Double; let peak_rss_bytes: Int }
        var speeds: [TrainingSpeed] = []
        for (number, text) in output.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !text.isEmpty {
            guard let line = try? jsonDecoder().decode(Line.self, from: Data(text.utf8)), line.samples_per_s > 0 else {
                throw BenchmarkError("\(source) output line \(number + 1): expected {\"method\", \"samples_per_s\" > 0, \"peak_rss_bytes\"}, found '\(text)'")
            }
            speeds.append(TrainingSpeed(arch: arch, engine: .pytorch, method: line.method, secondsPerEpoch: Double(epochImages) / line.samples_per_s,
                                        samplesPerSecond: line.samples_per_s, peakMemoryBytes: line.peak_rss_bytes))
        }
        return speeds
    }
}
