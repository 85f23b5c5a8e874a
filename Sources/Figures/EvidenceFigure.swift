import Foundation
import Gnuplot

/// Panels drawn from the evidence files the checks write (`runChecks`, `pmf check --out DIR`):
/// `NAME.dat`, gnuplot data files with named datasets. Each panel is one file, one curve per
/// (dataset, y column). Which file, columns and scales are data (`EvidencePlot`), not a plotting
/// routine per theorem.
public struct EvidencePlot: Equatable, Sendable {
    /// The evidence file's base name, e.g. `theorem-3.1` (read from `DIR/NAME.dat`).
    public var file: String
    /// Panel title.
    public var title: String
    /// Abscissa column and its axis.
    public var x: String
    /// The axis for `x`.
    public var xAxis: Axis
    /// The ordinate columns drawn for every dataset; the key says `DATASET: COLUMN` when there are
    /// several, else the dataset name.
    public var ys: [String]
    /// The axis for the ordinates.
    public var yAxis: Axis
    /// Points for scatters of independent trials, lines with points for trajectories.
    public var style: SeriesStyle

    /// Creates a plot description.
    public init(file: String, title: String, x: String, xAxis: Axis, ys: [String], yAxis: Axis, style: SeriesStyle = .linespoints) {
        self.file = file
        self.title = title
        self.x = x
        self.xAxis = xAxis
        self.ys = ys
        self.yAxis = yAxis
        self.style = style
    }

    /// The three checks the paper's statements are drawn from.
    public static let paperChecks = [
        EvidencePlot(file: "theorem-3.1", title: "Theorem 3.1: softmax-PGD vs PMF step",
                     x: "beta", xAxis: Axis(label: "β", scale: .logarithmic), ys: ["deviation"],
                     yAxis: Axis(label: "deviation", scale: .logarithmic), style: .points),
        EvidencePlot(file: "proposition-3.1", title: "Proposition 3.1: BC vs PICM trajectories",
                     x: "iteration", xAxis: Axis(label: "iteration"), ys: ["deviation"], yAxis: Axis(label: "deviation")),
        EvidencePlot(file: "softmax-limit", title: "‖softmax(βũ) − hardmax(ũ)‖ vs β",
                     x: "beta", xAxis: Axis(label: "β", scale: .logarithmic), ys: ["deviation", "bound"],
                     yAxis: Axis(label: "distance", scale: .logarithmic), style: .points),
    ]

    /// The panel for `data` (the parsed evidence file), with non-positive values on log axes
    /// dropped; `nil` when nothing drawable is left.
    /// - Throws: `FigureError` when `data` lacks a column this plot needs.
    public func panel(for data: DataFile, source: String) throws -> Panel? {
        for column in [x] + ys where data.columnNumber(named: column) == nil {
            throw FigureError("\(source): no column \"\(column)\" for the \(file) plot; it has \(data.columns.map(\.name).joined(separator: ", "))")
        }
        let logColumns = (xAxis.scale == .logarithmic ? [x] : []) + (yAxis.scale == .logarithmic ? ys : [])
        let drawable = logColumns.isEmpty ? data : data.positive(in: logColumns)
        let series = drawable.datasets.flatMap { dataset in
            ys.map { y in
                Series(data: drawable, dataset: .name(dataset.name), x: .name(x), y: .name(y), style: style,
                       title: ys.count > 1 ? "\(dataset.name): \(y)" : dataset.name)
            }
        }
        return series.isEmpty ? nil : Panel(title: title, x: xAxis, y: yAxis, series: series)
    }

    /// One figure of every plot whose file exists in `directory`; notes name the missing ones.
    /// - Throws: `FigureError` for a file that exists but cannot be read or lacks a column.
    public static func figure(named name: String, plots: [EvidencePlot], from directory: URL) throws -> (figure: Figure?, notes: [String]) {
        var panels: [Panel] = [], notes: [String] = []
        for plot in plots {
            let url = directory.appendingPathComponent("\(plot.file).dat")
            guard FileManager.default.fileExists(atPath: url.path) else {
                notes.append("\(name): \(url.path) was not written by the checks; its panel is left out")
                continue
            }
            if let panel = try plot.panel(for: try DataFile(contentsOf: url), source: url.path) {
                panels.append(panel)
            } else {
                notes.append("\(name): \(url.path) has no positive values to draw on a log scale")
            }
        }
        return (panels.isEmpty ? nil : Figure(name: name, panels: panels), notes)
    }
}
