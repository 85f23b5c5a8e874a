import Gnuplot
import NeuralNet
import Support

/// `trace.dat`, the gnuplot data file of a run's trace: one row per logged iteration, in one
/// dataset `training`, with the columns `iteration`, `epoch`, `loss`, `train_accuracy`,
/// `learning_rate`, `validation_accuracy_quantized`, `validation_accuracy_fractional`, `beta`,
/// `mean_entropy`, `vertex_fraction` and `flip_ratio` (NaN where a row has no value).
public enum TraceFile {
    /// The file name in a run folder.
    public static let fileName = "trace.dat"

    /// The data file of `trace`, its provenance `command` and `seed`.
    public static func dataFile(_ trace: [TraceRow], command: String, seed: UInt) -> DataFile {
        let rows = trace.map {
            [Double($0.iteration), $0.epoch, $0.loss, $0.trainAccuracy, $0.learningRate, $0.validationAccuracy ?? .nan,
             $0.validationAccuracyFractional, $0.beta, $0.meanEntropy, $0.vertexFraction, $0.flipRatio]
        }
        return DataFile(
            name: "trace",
            columns: [DataColumn("iteration"), DataColumn("epoch"), DataColumn("loss", unit: "nats"),
                      DataColumn("train_accuracy", unit: "fraction"), DataColumn("learning_rate"),
                      DataColumn("validation_accuracy_quantized", unit: "fraction"),
                      DataColumn("validation_accuracy_fractional", unit: "fraction"), DataColumn("beta"),
                      DataColumn("mean_entropy", unit: "nats"), DataColumn("vertex_fraction", unit: "fraction"),
                      DataColumn("flip_ratio", unit: "fraction")],
            provenance: Provenance(command: command, seed: UInt64(seed), version: toolkitVersion),
            datasets: [NamedDataset(name: "training", rows: rows)])
    }
}
