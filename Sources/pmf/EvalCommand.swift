import ArgumentParser
import Foundation
import NeuralNet
import Quantization
import Support

/// `pmf eval`: rebuilds an exported quantized network from its manifest and measures its test accuracy.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load a network exported by pmf train --export and report its test accuracy.",
        discussion: """
        The network is built from the manifest's layer list, and the test images are normalised with the \
        manifest's per-channel mean and deviation (those of the training run), whatever folder they come from.
        """)

    @Option(help: "The export folder (manifest.json, .npy files).") var export: String
    @Option(help: "Dataset folder (default for mnist: the cache make mnist fills, \(DatasetKind.mnistCacheFolder()); for fashion-mnist: \(DatasetKind.fashionMNISTPackageFolder)).") var data: String?
    @Option(help: "Evaluate on this dataset instead of the one in the manifest.") var dataset: DatasetKind?
    @Option(help: "Write the network's outputs (logits) for every test image to this .npy file: float32, [test images, classes], in the test file's order.")
    var logits: String?
    @Flag(help: "Print one JSON object.") var json = false

    struct Report: Encodable {
        let arch, method, dataset: String
        let test_accuracy: Double
        let recorded_test_accuracy: Double
        let reproduced: Bool
        let parameters: Int
        let quantized_bytes, float_bytes, compression_ratio: Double
    }

    func run() throws {
        let folder = URL(fileURLWithPath: export, isDirectory: true)
        let (manifest, model) = try QuantizedExport.read(from: folder)
        guard let kind = dataset ?? DatasetKind(rawValue: manifest.dataset) else { throw CommandError("\(export): unknown dataset \(manifest.dataset); pass --dataset") }
        guard manifest.imageShape[2] == kind.imageShapeAndClasses.shape[2] else {
            throw CommandError("\(export)/manifest.json: imageShape \(manifest.imageShape) has \(manifest.imageShape[2]) channels; \(kind.rawValue) images have \(kind.imageShapeAndClasses.shape[2])")
        }
        let statistics = zip(manifest.normalization.mean, manifest.normalization.std).map { (mean: $0, deviation: $1) }
        let (_, test) = try kind.load(from: kind.folder(given: data), statistics: statistics)
        guard manifest.imageShape == test.imageShape, manifest.classes >= test.classes else {
            throw CommandError("\(export)/manifest.json: imageShape \(manifest.imageShape) and classes \(manifest.classes) do not fit \(kind.rawValue) (images \(test.imageShape), \(test.classes) classes)")
        }
        var outputs: [Float] = []
        let accuracy = NeuralNet.accuracy(of: model, on: test) { outputs += $0.buffer }
        if let logits {
            try writeAtomically(NPY.encode(outputs, shape: [test.count, manifest.classes]), to: URL(fileURLWithPath: logits))
        }
        let summary = manifest.summary
        let report = Report(arch: manifest.arch, method: manifest.method, dataset: kind.rawValue, test_accuracy: accuracy,
                            recorded_test_accuracy: manifest.testAccuracyQuantized, reproduced: accuracy == manifest.testAccuracyQuantized,
                            parameters: summary.rows.reduce(0) { $0 + $1.parameters }, quantized_bytes: summary.quantizedBytes,
                            float_bytes: summary.floatBytes, compression_ratio: summary.compressionRatio)
        if json {
            try printJSON(report)
        } else {
            print(summary.text)
            print(String(format: "%@ %@ on %@: test accuracy %.2f%% (recorded at training: %.2f%%, %@)", manifest.arch, manifest.method,
                         kind.rawValue, 100 * accuracy, 100 * manifest.testAccuracyQuantized, report.reproduced ? "reproduced exactly" : "DIFFERENT"))
        }
    }
}
