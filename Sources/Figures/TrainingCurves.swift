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
    /// The title over all panels (what was trained, on which data), or nil.
    public var title: String?
    /// The rows.
    public var groups: [Group]
    /// Written into the data files.
    public var provenance: Provenance

    /// Creates the description.
    public init(name: String, title: String? = nil, groups: [Group], provenance: Provenance) {
        self.name = name
        self.title = title
        self.groups = groups
        self.provenance = provenance
    }

    /// `NAME-loss.dat`: columns `epoch`, `loss` [nats] and `loss_std` (over seeds); a dataset
    /// `GROUP-CURVE` per curve, every trace row.
    public var lossData: DataFile {
        DataFile(name: "\(name)-loss", columns: [DataColumn("epoch"), DataColumn("loss", unit: "nats"), DataColumn("loss_std", unit: "nats")],
                 provenance: provenance,
                 datasets: groups.flatMap { group in
                     group.curves.map { curve in
                         let t = curve.trace
                         return NamedDataset(name: "\(group.name)-\(curve.name)", rows: t.epochs.indices.map { [t.epochs[$0], t.loss[$0], t.lossSpread[$0]] })
                     }
                 })
    }

    /// `NAME-accuracy.dat`: columns `epoch`, `validation_accuracy` [%] and `validation_accuracy_std`
    /// [%] (over seeds); a dataset `GROUP-CURVE` per curve with the rows that have a validation
    /// accuracy (curves with none are left out).
    public var accuracyData: DataFile {
        DataFile(name: "\(name)-accuracy",
                 columns: [DataColumn("epoch"), DataColumn("validation_accuracy", unit: "%"), DataColumn("validation_accuracy_std", unit: "%")],
                 provenance: provenance,
                 datasets: groups.flatMap { group in
                     group.curves.compactMap { curve in
                         let t = curve.trace
                         let rows = t.epochs.indices.filter { !t.validationAccuracy[$0].isNaN }
                             .map { [t.epochs[$0], 100 * t.validationAccuracy[$0], 100 * t.validationAccuracySpread[$0]] }
                         return rows.isEmpty ? nil : NamedDataset(name: "\(group.name)-\(curve.name)", rows: rows)
                     }
                 })
    }

    /// Rows of (loss, accuracy) panels, one row per group; curves averaged over several runs carry
    /// error bars of one standard deviation.
    public var figure: Figure {
        let loss = lossData, accuracy = accuracyData
        let panels = groups.flatMap { group -> [Panel] in
            func series(_ data: DataFile, y: String) -> [Series] {
                group.curves.filter { data.datasetIndex(named: "\(group.name)-\($0.name)") != nil }.map {
                    Series(data: data, dataset: .name("\(group.name)-\($0.name)"), x: "epoch", y: .name(y),
                           style: $0.trace.runs > 1 ? .errorlines(.name("\(y)_std")) : .linespoints, title: $0.title)
                }
            }
            return [Panel(title: "\(group.title): training loss", x: Axis(label: "epoch", lower: 0), y: Axis(label: "loss (nats)"),
                          series: series(loss, y: "loss")),
                    Panel(title: "\(group.title): validation accuracy of the quantized network", x: Axis(label: "epoch", lower: 0),
                          y: Axis(label: "accuracy (%)"), key: .bottomRight, series: series(accuracy, y: "validation_accuracy"))]
        }.filter { !$0.series.isEmpty }
        return Figure(name: name, title: title, rows: max(1, groups.count), columns: 2, panels: panels)
    }
}

extension TrainingTrace {
    /// The row-by-row mean of traces of the same schedule (different seeds), cut to the shortest,
    /// with the sample standard deviations; an accuracy is NaN where any trace has none.
    public static func mean(_ traces: [TrainingTrace]) -> TrainingTrace {
        precondition(!traces.isEmpty, "mean of no traces")
        let count = traces.map(\.epochs.count).min() ?? 0
        func moments(_ column: KeyPath<TrainingTrace, [Double]>) -> (mean: [Double], spread: [Double]) {
            let n = Double(traces.count)
            let means = (0 ..< count).map { row in traces.map { $0[keyPath: column][row] }.reduce(0, +) / n }
            let spreads = (0 ..< count).map { row -> Double in
                guard traces.count > 1 else { return 0 }
                return (traces.map { ($0[keyPath: column][row] - means[row]) * ($0[keyPath: column][row] - means[row]) }.reduce(0, +) / (n - 1)).squareRoot()
            }
            return (means, spreads)
        }
        let (loss, accuracy) = (moments(\.loss), moments(\.validationAccuracy))
        var mean = TrainingTrace(epochs: Array(traces[0].epochs.prefix(count)), loss: loss.mean,
                                 validationAccuracy: accuracy.mean)
        mean.runs = traces.count
        mean.lossSpread = loss.spread
        mean.validationAccuracySpread = accuracy.spread
        return mean
    }
}
