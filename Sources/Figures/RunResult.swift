import Foundation

/// The fields of a run's `results.json` that figures and tables use. Both builds write
/// `test_accuracy` (of the quantized network in the quantized-training build, which also writes
/// `test_accuracy_quantized`); the quantized value is preferred when present.
public struct RunResult: Equatable, Sendable, Decodable {
    /// Test accuracy of the (quantized) network, as a fraction.
    public var testAccuracy: Double
    /// Epochs trained.
    public var epochs: Int
    /// Training images used (the `--limit`, when given).
    public var trainSize: Int?
    /// Seconds of training.
    public var seconds: Double?

    enum CodingKeys: String, CodingKey {
        case testAccuracy = "test_accuracy", testAccuracyQuantized = "test_accuracy_quantized"
        case epochs, trainSize = "train_size", seconds
    }

    /// Creates a result.
    public init(testAccuracy: Double, epochs: Int, trainSize: Int? = nil, seconds: Double? = nil) {
        self.testAccuracy = testAccuracy
        self.epochs = epochs
        self.trainSize = trainSize
        self.seconds = seconds
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        testAccuracy = try container.decodeIfPresent(Double.self, forKey: .testAccuracyQuantized)
            ?? container.decode(Double.self, forKey: .testAccuracy)
        epochs = try container.decode(Int.self, forKey: .epochs)
        trainSize = try container.decodeIfPresent(Int.self, forKey: .trainSize)
        seconds = try container.decodeIfPresent(Double.self, forKey: .seconds)
    }

    /// Reads `results.json` at `url`.
    /// - Throws: `FigureError` naming the file when it is missing or lacks a field.
    public init(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw FigureError("\(url.path): missing; the run did not finish, delete its folder and rerun")
        }
        do {
            self = try JSONDecoder().decode(RunResult.self, from: data)
        } catch {
            throw FigureError("\(url.path): not a pmf train result (it needs test_accuracy and epochs); delete its folder and rerun")
        }
    }
}
