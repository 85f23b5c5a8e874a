import Foundation
import Gnuplot

/// Table 2's layout: a row per network, a column per method, each cell the test accuracy (%) of the
/// quantized network as mean ± standard deviation over seeds (the sample deviation, n − 1; a
/// single seed shows the value alone), `—` where the method was not run.
public enum AccuracyTable {
    /// The table for `methods` (column order) from `rows`: each a network title and the
    /// test accuracies (fractions) per method spec.
    public static func make(methods: [String], rows: [(title: String, accuracies: [String: [Double]])]) -> Table {
        Table(header: ["network"] + methods.map(MethodSpecText.title),
              alignments: [.left] + methods.map { _ in .right },
              rows: rows.map { row in [row.title] + methods.map { cell(row.accuracies[$0] ?? []) } })
    }

    /// `mean ± std` in percent with two decimals, the mean alone for one value, `—` for none.
    public static func cell(_ values: [Double]) -> String {
        guard !values.isEmpty else { return "—" }
        let percent = values.map { 100 * $0 }
        let mean = percent.reduce(0, +) / Double(percent.count)
        guard percent.count > 1 else { return String(format: "%.2f", mean) }
        let variance = percent.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(percent.count - 1)
        return String(format: "%.2f ± %.2f", mean, variance.squareRoot())
    }
}
