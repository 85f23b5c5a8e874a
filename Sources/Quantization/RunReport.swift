import Foundation
import Gnuplot
import Support

/// What a finished training run reports: `results.json` in its folder, and `pmf train --json`.
///
/// The JSON keys are snake_case (`test_accuracy`, `best_validation_accuracy`, …). The quantized
/// network's test accuracy is written twice, as `test_accuracy` and `test_accuracy_quantized`,
/// because readers of either key exist (notebook 4, `scripts/slurm-test.sh`); it is read from
/// `test_accuracy`.
public struct RunReport: Codable, Equatable, Sendable {
    /// The file name in a run folder.
    public static let fileName = "results.json"

    /// `Architecture` raw value.
    public var arch: String
    /// The method spec, canonical text.
    public var method: String
    /// The level set's values.
    public var levels: [Double]
    /// `DatasetKind` raw value.
    public var dataset: String
    public var seed: UInt
    /// Epochs trained.
    public var epochs: Int
    /// Test accuracy of the quantized network kept at the best validation accuracy, as a fraction.
    public var testAccuracy: Double
    /// Test accuracy of that network's fractional weights.
    public var testAccuracyFractional: Double
    /// The best quantized validation accuracy over the logged iterations.
    public var bestValidationAccuracy: Double
    /// The (1-based) epoch and the iteration of the best validation accuracy.
    public var bestEpoch: Int
    public var bestIteration: Int
    /// Wall time of the process that finished the run, evaluation included.
    public var seconds: Double
    /// Training samples per second over the training steps.
    public var samplesPerSecond: Double
    /// Images in the training (after `--limit`), validation and test sets.
    public var trainSize: Int
    public var validationSize: Int
    public var testSize: Int
    /// The checkpoint's iteration when the run was resumed, else nil.
    public var resumedFromIteration: Int?
    /// Float bytes ÷ quantized bytes of the exported network, when it was exported.
    public var compressionRatio: Double?
    /// The toolkit version that wrote the report.
    public var version: String

    public init(arch: String, method: String, levels: [Double], dataset: String, seed: UInt, epochs: Int, testAccuracy: Double,
                testAccuracyFractional: Double, bestValidationAccuracy: Double, bestEpoch: Int, bestIteration: Int, seconds: Double,
                samplesPerSecond: Double, trainSize: Int, validationSize: Int, testSize: Int, resumedFromIteration: Int?,
                compressionRatio: Double?, version: String) {
        self.arch = arch
        self.method = method
        self.levels = levels
        self.dataset = dataset
        self.seed = seed
        self.epochs = epochs
        self.testAccuracy = testAccuracy
        self.testAccuracyFractional = testAccuracyFractional
        self.bestValidationAccuracy = bestValidationAccuracy
        self.bestEpoch = bestEpoch
        self.bestIteration = bestIteration
        self.seconds = seconds
        self.samplesPerSecond = samplesPerSecond
        self.trainSize = trainSize
        self.validationSize = validationSize
        self.testSize = testSize
        self.resumedFromIteration = resumedFromIteration
        self.compressionRatio = compressionRatio
        self.version = version
    }

    enum CodingKeys: String, CodingKey {
        case arch, method, levels, dataset, seed, epochs
        case testAccuracy = "test_accuracy", testAccuracyQuantized = "test_accuracy_quantized"
        case testAccuracyFractional = "test_accuracy_fractional", bestValidationAccuracy = "best_validation_accuracy"
        case bestEpoch = "best_epoch", bestIteration = "best_iteration", seconds, samplesPerSecond = "samples_per_second"
        case trainSize = "train_size", validationSize = "validation_size", testSize = "test_size"
        case resumedFromIteration = "resumed_from_iteration", compressionRatio = "compression_ratio", version
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        arch = try c.decode(String.self, forKey: .arch)
        method = try c.decode(String.self, forKey: .method)
        levels = try c.decode([Double].self, forKey: .levels)
        dataset = try c.decode(String.self, forKey: .dataset)
        seed = try c.decode(UInt.self, forKey: .seed)
        epochs = try c.decode(Int.self, forKey: .epochs)
        testAccuracy = try c.decode(Double.self, forKey: .testAccuracy)
        testAccuracyFractional = try c.decode(Double.self, forKey: .testAccuracyFractional)
        bestValidationAccuracy = try c.decode(Double.self, forKey: .bestValidationAccuracy)
        bestEpoch = try c.decode(Int.self, forKey: .bestEpoch)
        bestIteration = try c.decode(Int.self, forKey: .bestIteration)
        seconds = try c.decode(Double.self, forKey: .seconds)
        samplesPerSecond = try c.decode(Double.self, forKey: .samplesPerSecond)
        trainSize = try c.decode(Int.self, forKey: .trainSize)
        validationSize = try c.decode(Int.self, forKey: .validationSize)
        testSize = try c.decode(Int.self, forKey: .testSize)
        resumedFromIteration = try c.decodeIfPresent(Int.self, forKey: .resumedFromIteration)
        compressionRatio = try c.decodeIfPresent(Double.self, forKey: .compressionRatio)
        version = try c.decode(String.self, forKey: .version)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(arch, forKey: .arch)
        try c.encode(method, forKey: .method)
        try c.encode(levels, forKey: .levels)
        try c.encode(dataset, forKey: .dataset)
        try c.encode(seed, forKey: .seed)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(testAccuracy, forKey: .testAccuracy)
        try c.encode(testAccuracy, forKey: .testAccuracyQuantized)
        try c.encode(testAccuracyFractional, forKey: .testAccuracyFractional)
        try c.encode(bestValidationAccuracy, forKey: .bestValidationAccuracy)
        try c.encode(bestEpoch, forKey: .bestEpoch)
        try c.encode(bestIteration, forKey: .bestIteration)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(samplesPerSecond, forKey: .samplesPerSecond)
        try c.encode(trainSize, forKey: .trainSize)
        try c.encode(validationSize, forKey: .validationSize)
        try c.encode(testSize, forKey: .testSize)
        try c.encodeIfPresent(resumedFromIteration, forKey: .resumedFromIteration)
        try c.encodeIfPresent(compressionRatio, forKey: .compressionRatio)
        try c.encode(version, forKey: .version)
    }

    /// The report as `results.json` holds it: pretty-printed, keys sorted.
    public func encoded() throws -> Data {
        try jsonEncoder(.pretty).encode(self)
    }

    /// Writes `folder/results.json` atomically (a reader sees the old file or the whole new one).
    public func write(to folder: URL) throws {
        try writeAtomically(try encoded(), to: folder.appendingPathComponent(Self.fileName))
    }

    /// Reads `results.json` at `url` (a file, or a run folder holding one).
    /// - Throws: `QuantizationError` naming the file and what is wrong with it, on one line.
    public init(contentsOf url: URL) throws {
        var isFolder: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) && isFolder.boolValue
            ? url.appendingPathComponent(Self.fileName) : url
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw QuantizationError("\(file.path): missing; the run has not finished")
        }
        do {
            self = try jsonDecoder().decode(RunReport.self, from: data)
        } catch DecodingError.keyNotFound(let key, _) {
            throw QuantizationError("\(file.path): not a pmf train report (no \"\(key.stringValue)\"); delete the run's folder and rerun it")
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw QuantizationError("\(file.path): \"\(key)\" has the wrong type; delete the run's folder and rerun it")
        } catch {
            throw QuantizationError("\(file.path): not valid JSON; delete the run's folder and rerun it")
        }
    }
}
