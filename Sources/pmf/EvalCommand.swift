import ArgumentParser
import Foundation
import NeuralNet
import Quantization

/// `pmf eval`: rebuilds an exported quantized network and measures its test accuracy.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load a network exported by pmf train --export and report its test accuracy.")

    @Option(help: "The export folder (manifest.json, .npy files).") var export: String
    @Option(help: "Dataset folder (default for mnist: the cache make mnist fills, \(DatasetKind.mnistCacheFolder()); for fashion-mnist: \(DatasetKind.fashionMNISTPackageFolder)).") var data: String?
    @Option(help: "Evaluate on this dataset instead of the one in the manifest.") var dataset: DatasetKind?
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
        let manifest = try QuantizedExport.manifest(in: folder)
        guard let architecture = Architecture(rawValue: manifest.arch) else { throw CommandError("\(export): unknown architecture \(manifest.arch)") }
        guard let kind = dataset ?? DatasetKind(rawValue: manifest.dataset) else { throw CommandError("\(export): unknown dataset \(manifest.dataset); pass --dataset") }
        let (_, test) = try kind.load(from: kind.folder(given: data))
        guard manifest.imageShape == test.imageShape, manifest.classes >= test.classes else {
            throw CommandError("\(export)/manifest.json: imageShape \(manifest.imageShape) and classes \(manifest.classes) do not fit \(kind.rawValue) (images \(test.imageShape), \(test.classes) classes)")
        }
        let model = architecture.build(imageShape: manifest.imageShape, classes: manifest.classes)
        try QuantizedExport.load(manifest, from: folder, into: model)
        let accuracy = NeuralNet.accuracy(of: model, on: test)
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
