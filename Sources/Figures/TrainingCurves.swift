import Gnuplot

/// Training curves drawn as one row of two panels per group (training loss, quantized validation
/// accuracy vs epoch), one curve per run: Fig. 2 (a row per network, a curve per method) and supp.
/// Fig. 3 (one row, a curve per ρ) are both this figure with different groups.
public struct TrainingCurves: Equatable, Sendable {
    /// One curve: a dataset name part, a key title and the trace (averaged over seeds).
    public struct Curve: Equatable, Sendable {
        /// Plain name, unique in its group, e.g. `pmf`.
        public var name: String
        /// Key title, e.g. `PMF`.
        public var title: String
        /// The curve's values.
        public var trace: TrainingTrace

        /// Creates a curve.
        public init(name: String, title: String, trace: TrainingTrace) {
            self.name = name
            self.title = title
            self.trace = trace
        }
    }

    /// One row of the figure: e.g. the runs on one network.
    public struct Group: Equatable, Sendable {
        /// Plain name prefixed to dataset names, e.g. `lenet300`.
        public var name: String
        /// Panel title prefix, e.g. `LeNet-300`.
        public var title: String
        /// The curves, drawn in order.
        public var curves: [Curve]

        /// Creates a group.
        public init(name: String, title: String, curves: [Curve]) {
            self.name = name
            self.title = title
            self.curves = curves
        }
    }

    /// Figure name; the data files are `NAME-loss.dat` and `NAME-accuracy.dat`.
    public var name: String
    /// The rows.
    public var groups: [Group]
    /// Written into the data files.
    public var provenance: Provenance

    /// Creates the description.
    public init(name: String, groups: [Group], provenance: Provenance) {
        self.name = name
        self.groups = groups
        self.provenance = provenance
    }

    /// `NAME-loss.dat`: columns `epoch`, `loss` [nats]; a dataset `GROUP-CURVE` per curve, every trace row.
    public var lossData: DataFile {
        DataFile(name: "\(name)-loss", columns: [DataColumn("epoch"), DataColumn("loss", unit: "nats")], provenance: provenance,
                 datasets: groups.flatMap { group in
                     group.curves.map { NamedDataset(name: "\(group.name)-\($0.name)", rows: zip($0.trace.epochs, $0.trace.loss).map { [$0, $1] }) }
                 })
    }

    /// `NAME-accuracy.dat`: columns `epoch`, `validation_accuracy` [%]; a dataset `GROUP-CURVE` per
    /// curve with the rows that have a validation accuracy (curves with none are left out).
    public var accuracyData: DataFile {
        DataFile(name: "\(name)-accuracy", columns: [DataColumn("epoch"), DataColumn("validation_accuracy", unit: "%")],
                 provenance: provenance,
                 datasets: groups.flatMap { group in
                     group.curves.compactMap { curve in
                         let points = curve.trace.accuracyPoints
                         return points.isEmpty ? nil
                             : NamedDataset(name: "\(group.name)-\(curve.name)", rows: points.map { [$0.epoch, 100 * $0.accuracy] })
                     }
                 })
    }

    /// Rows of (loss, accuracy) panels, one row per group.
    public var figure: Figure {
        let loss = lossData, accuracy = accuracyData
        let panels = groups.flatMap { group -> [Panel] in
            func series(_ data: DataFile, y: String) -> [Series] {
                group.curves.filter { data.datasetIndex(named: "\(group.name)-\($0.name)") != nil }.map {
                    Series(data: data, dataset: .name("\(group.name)-\($0.name)"), x: "epoch", y: .name(y), style: .linespoints, title: $0.title)
                }
            }
            return [Panel(title: "\(group.title): training loss", x: Axis(label: "epoch", lower: 0), y: Axis(label: "loss (nats)"),
                          series: series(loss, y: "loss")),
                    Panel(title: "\(group.title): validation accuracy of the quantized network", x: Axis(label: "epoch", lower: 0),
                          y: Axis(label: "accuracy (%)"), key: .bottomRight, series: series(accuracy, y: "validation_accuracy"))]
        }.filter { !$0.series.isEmpty }
        return Figure(name: name, rows: max(1, groups.count), columns: 2, panels: panels)
    }
}

extension TrainingTrace {
    /// The row-by-row mean of traces of the same schedule (different seeds), cut to the shortest;
    /// an accuracy is NaN where any trace has none.
    public static func mean(_ traces: [TrainingTrace]) -> TrainingTrace {
        precondition(!traces.isEmpty, "mean of no traces")
        let count = traces.map(\.epochs.count).min() ?? 0
        func average(_ column: KeyPath<TrainingTrace, [Double]>) -> [Double] {
            (0 ..< count).map { row in traces.map { $0[keyPath: column][row] }.reduce(0, +) / Double(traces.count) }
        }
        return TrainingTrace(epochs: Array(traces[0].epochs.prefix(count)), loss: average(\.loss),
                             validationAccuracy: average(\.validationAccuracy), accuracyColumn: traces[0].accuracyColumn)
    }
}
