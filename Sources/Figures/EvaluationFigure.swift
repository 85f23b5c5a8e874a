import Foundation
import Gnuplot
import MRF

/// The outputs of `pmf mrf evaluate` for an `EvaluationReport`: a Markdown table (one row per
/// instance and algorithm), a gnuplot data file `evaluate.dat` with one dataset per algorithm (a row
/// per instance it ran on) and a figure of error against time, one panel each for the mean marginal
/// error, the mean Hellinger error and the log Z error, both axes logarithmic, one point per instance.
public struct EvaluationFigure: Sendable {
    /// The measured report.
    public var report: EvaluationReport
    /// Written into the data file's header.
    public var provenance: Provenance

    /// Creates the description.
    public init(report: EvaluationReport, provenance: Provenance) {
        self.report = report
        self.provenance = provenance
    }

    /// The columns of `evaluate.dat`: the instance's 1-based position in the report, the run's
    /// seconds, the four errors of `AnswerErrors` and the iterations.
    public static let columns = [
        DataColumn("instance"), DataColumn("seconds", unit: "s"), DataColumn("log_z_error", unit: "nats"),
        DataColumn("mean_marginal_error"), DataColumn("max_marginal_error"), DataColumn("hellinger"),
        DataColumn("map_gap"), DataColumn("iterations"),
    ]

    /// The columns drawn on log axes; in the data file a value ≤ 0 there (an exact answer) is missing.
    static let logColumns: Set<String> = ["seconds", "log_z_error", "mean_marginal_error", "max_marginal_error", "hellinger"]

    /// The dataset name of the algorithm at position `k`: `K-PLAIN`, e.g. `2-pmf-eta-0.5`
    /// (the position keeps names distinct and none a prefix of another).
    static func datasetName(_ k: Int, _ spec: String) -> String { "\(k + 1)-\(MethodSpecText.plainName(spec))" }

    /// The table: instance, algorithm, the errors (`—` when the answer is missing), iterations, seconds.
    public func table() -> Table {
        func error(_ x: Double?) -> String {
            guard let x else { return "—" }
            return x.isFinite ? String(format: "%.3e", x) : "\(x)"
        }
        return Table(
            header: ["instance", "algorithm", "log Z err (nats)", "mean marg err", "max marg err", "Hellinger", "MAP gap", "iters", "seconds"],
            alignments: [.left, .left] + Array(repeating: .right, count: 7),
            rows: report.rows.map { row in
                [row.instance, row.algorithm, error(row.errors.logZ), error(row.errors.meanMarginal), error(row.errors.maxMarginal),
                 error(row.errors.hellinger), row.errors.mapGap.map { $0.isFinite ? String(format: "%.4f", $0) : "\($0)" } ?? "—",
                 String(row.iterations), String(format: "%.3g", row.seconds)]
            })
    }

    /// `evaluate.md`: the table, then one line per failed run and per model left out.
    public func markdown() throws -> String {
        var text = "# pmf mrf evaluate\n\n" + (try table().markdown())
        let failures = report.failures.map { "- \($0.instance), \($0.algorithm): skipped after \(String(format: "%.3f", $0.seconds)) s — \($0.reason)" }
        if !failures.isEmpty { text += "\nAlgorithms that could not run:\n\n" + failures.joined(separator: "\n") + "\n" }
        if !report.notes.isEmpty { text += "\nModels left out:\n\n" + report.notes.map { "- \($0)" }.joined(separator: "\n") + "\n" }
        return text
    }

    /// `evaluate.dat`: a dataset per algorithm that ran on at least one instance, a row per instance.
    /// Missing answers and, in the log-scaled columns, values ≤ 0 are written as missing (NaN).
    public func dataFile() -> DataFile {
        let position = Dictionary(uniqueKeysWithValues: report.instances.enumerated().map { ($1.name, $0 + 1) })
        let logged = Self.columns.map { Self.logColumns.contains($0.name) }
        let datasets = report.algorithms.enumerated().compactMap { k, spec -> NamedDataset? in
            let rows = report.rows.filter { $0.algorithm == spec }.map { row -> [Double] in
                let e = row.errors
                let values = [Double(position[row.instance] ?? 0), row.seconds, e.logZ ?? .nan, e.meanMarginal ?? .nan,
                              e.maxMarginal ?? .nan, e.hellinger ?? .nan, e.mapGap ?? .nan, Double(row.iterations)]
                return zip(values, logged).map { value, isLogged in isLogged && !(value > 0) ? .nan : value }
            }
            return rows.isEmpty ? nil : NamedDataset(name: Self.datasetName(k, spec), rows: rows)
        }
        return DataFile(name: "evaluate", columns: Self.columns, provenance: provenance, datasets: datasets)
    }

    /// Error against seconds per algorithm, log–log: the panels that have a finite value to draw
    /// (an algorithm whose errors are all missing or zero is left out of a panel, the others keep
    /// their colours), or `nil` when none has.
    public func figure() -> Figure? {
        let data = dataFile()
        let seconds = Axis(label: "seconds", scale: .logarithmic)
        let panels = [("mean_marginal_error", "mean marginal error", "mean_i max_a |b_i(a) − p_i(a)|"),
                      ("hellinger", "mean Hellinger error", "mean_i H(b_i, p_i)"),
                      ("log_z_error", "log Z error", "|log Z − log Z*| (nats)")].compactMap { column, title, label -> Panel? in
            let number = (data.columnNumber(named: column) ?? 1) - 1
            let series = report.algorithms.enumerated().compactMap { k, spec -> Series? in
                let name = Self.datasetName(k, spec)
                guard let dataset = data.datasets.first(where: { $0.name == name }),
                      dataset.blocks.joined().contains(where: { $0[number].isFinite }) else { return nil }
                return Series(data: data, dataset: .name(name), x: "seconds", y: .name(column), style: .points, title: spec, lineType: k + 1)
            }
            return series.isEmpty ? nil : Panel(title: "\(title) vs time", x: seconds, y: Axis(label: label, scale: .logarithmic),
                                                key: .bottomRight, series: series)
        }
        return panels.isEmpty ? nil : Figure(name: "evaluate", panels: panels)
    }
}
