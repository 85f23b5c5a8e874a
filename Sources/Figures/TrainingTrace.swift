import Foundation
import Gnuplot

/// The curves of one training run (or their mean over seeds), read from its `trace.dat`
/// (`TraceFile`) by column name: `epoch`, `loss` and `validation_accuracy_quantized`. Columns other
/// than those read here are ignored.
public struct TrainingTrace: Equatable, Sendable {
    /// Epoch (fractional) of each trace row.
    public var epochs: [Double]
    /// Mean training loss over the iterations since the previous row, in nats.
    public var loss: [Double]
    /// Validation accuracy of the quantized network as a fraction, NaN where the row has none.
    public var validationAccuracy: [Double]
    /// Runs averaged into this trace (1 for a run's own trace).
    public var runs = 1
    /// Sample standard deviation of `loss` over the averaged runs (0 for one run).
    public var lossSpread: [Double]
    /// Sample standard deviation of `validationAccuracy` over the averaged runs (0 for one run).
    public var validationAccuracySpread: [Double]

    /// Creates a trace from its columns (all of the same length).
    public init(epochs: [Double], loss: [Double], validationAccuracy: [Double]) {
        precondition(epochs.count == loss.count && loss.count == validationAccuracy.count, "trace columns differ in length")
        self.epochs = epochs
        self.loss = loss
        self.validationAccuracy = validationAccuracy
        lossSpread = loss.map { _ in 0 }
        validationAccuracySpread = loss.map { _ in 0 }
    }

    /// Reads the columns `epoch`, `loss` and `validation_accuracy_quantized` from the first
    /// dataset of `file`.
    /// - Throws: `FigureError` naming `source` and the columns it has when one is missing.
    public init(_ file: DataFile, source: String) throws {
        guard !file.datasets.isEmpty else {
            throw FigureError("\(source): the trace has no rows; rerun with a smaller --log-every")
        }
        self.init(epochs: try file.values(of: "epoch", source: source), loss: try file.values(of: "loss", source: source),
                  validationAccuracy: try file.values(of: "validation_accuracy_quantized", source: source))
    }

    /// Reads `trace.dat` at `url`.
    public init(contentsOf url: URL) throws {
        try self.init(try DataFile(contentsOf: url), source: url.path)
    }

    /// The rows that have a validation accuracy: (epoch, accuracy) pairs.
    public var accuracyPoints: [(epoch: Double, accuracy: Double)] {
        zip(epochs, validationAccuracy).filter { !$0.1.isNaN }.map { (epoch: $0.0, accuracy: $0.1) }
    }
}
