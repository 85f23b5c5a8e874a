import Foundation
import Gnuplot
import Quantization
import Support

/// The mean and sample standard deviation (n − 1 in the denominator; 0 for a single value).
public struct MeanStd: Equatable, Codable, Sendable {
    public var mean: Double
    public var std: Double
    public var count: Int

    public init(_ values: [Double]) {
        count = values.count
        mean = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
        let m = mean
        std = values.count < 2 ? 0 : (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
    }
}

/// One row of the collected table: a setting of every axis but the seed, over its finished seeds.
public struct CollectedGroup: Equatable, Codable, Sendable {
    /// The axis values (seed excluded), in axis order.
    public var settings: [SweepFile.Setting]
    /// The run ids that finished, in plan order.
    public var runs: [String]
    /// Their seeds (as written), when seed is an axis.
    public var seeds: [String]
    /// Test accuracy (fraction) of the quantized networks over the finished runs.
    public var testAccuracy: MeanStd
    /// Planned runs of this group without results yet.
    public var unfinished: Int

    private enum CodingKeys: String, CodingKey {
        case settings, runs, seeds, testAccuracy = "test_accuracy", unfinished
    }
}

/// The result of `collect`: groups in plan order.
public struct Collection: Equatable, Codable, Sendable {
    /// The axes that label the groups (every axis but `seed`).
    public var groupAxes: [String]
    public var groups: [CollectedGroup]

    private enum CodingKeys: String, CodingKey { case groupAxes = "group_axes", groups }
}

/// Reads every finished run's `results.json` (`RunReport`) and groups the runs by all axis values
/// but the seed.
/// - Throws: `QuantizationError` naming a results file that is not a complete report.
public func collectSweep(_ plan: SweepPlan, folder: String) throws -> Collection {
    let groupAxes = plan.axes.filter { $0 != "seed" }
    var order: [[SweepFile.Setting]] = []
    var members: [[SweepFile.Setting]: [PlannedRun]] = [:]
    for run in plan.runs {
        let key = run.settings.filter { $0.key != "seed" }
        if members[key] == nil { order.append(key) }
        members[key, default: []].append(run)
    }
    var groups: [CollectedGroup] = []
    for key in order {
        var ids: [String] = [], seeds: [String] = [], accuracies: [Double] = [], unfinished = 0
        for run in members[key]! {
            let runFolder = RunFiles.folder(of: run.id, inSweep: folder)
            guard RunFiles.status(of: runFolder.path) == .finished else { unfinished += 1; continue }
            ids.append(run.id)
            if let seed = run.value(of: "seed") { seeds.append(seed) }
            accuracies.append(try RunReport(contentsOf: runFolder).testAccuracy)
        }
        guard !ids.isEmpty else { continue }
        groups.append(CollectedGroup(settings: key, runs: ids, seeds: seeds, testAccuracy: MeanStd(accuracies), unfinished: unfinished))
    }
    return Collection(groupAxes: groupAxes, groups: groups)
}

extension Collection {
    /// `88.12 ± 0.35` in percent.
    static func percent(_ value: MeanStd) -> String {
        String(format: "%.2f ± %.2f", 100 * value.mean, 100 * value.std)
    }

    /// The table: one column per group axis, the number of seeds and the test accuracy of the
    /// quantized networks in percent, mean ± std over seeds.
    public var table: Table {
        let header = groupAxes + ["seeds", "test accuracy (%)"]
        let alignments: [Table.Alignment] = groupAxes.map { _ in .left } + Array(repeating: .right, count: header.count - groupAxes.count)
        let rows = groups.map { group -> [String] in
            groupAxes.map { axis in group.settings.first { $0.key == axis }?.value ?? "–" }
                + ["\(group.testAccuracy.count)", Self.percent(group.testAccuracy)]
        }
        return Table(header: header, alignments: alignments, rows: rows)
    }

    /// `collected.dat`: one dataset per combination of the non-numeric axes (named `key=value+…`,
    /// or `all`), rows sorted by the numeric axes, columns: each numeric axis, `seeds`,
    /// `test_accuracy` and `test_accuracy_std`.
    public func dataFile(command: String, version: String) -> DataFile {
        // An axis is numeric when every group that has a value for it (ref has no rho) has a number.
        let numeric = groupAxes.filter { axis in
            let values = groups.compactMap { g in g.settings.first { $0.key == axis }?.value }
            return !values.isEmpty && values.allSatisfy { Double($0) != nil }
        }
        let labels = groupAxes.filter { !numeric.contains($0) }
        let columns = numeric.map { DataColumn($0) } + [DataColumn("seeds"), DataColumn("test_accuracy", unit: "fraction"),
                                                           DataColumn("test_accuracy_std", unit: "fraction")]
        var names: [String] = []
        var rowsByName: [String: [[Double]]] = [:]
        for group in groups {
            let value = { (axis: String) in group.settings.first { $0.key == axis }?.value ?? "" }
            let parts = labels.filter { !value($0).isEmpty }.map { "\($0)=\(value($0))" }
            let name = parts.isEmpty ? "all" : parts.joined(separator: "+")
            if rowsByName[name] == nil { names.append(name) }
            let row = numeric.map { Double(value($0)) ?? .nan } + [Double(group.testAccuracy.count), group.testAccuracy.mean, group.testAccuracy.std]
            rowsByName[name, default: []].append(row)
        }
        // Dataset names must be plain and none a prefix of another; otherwise number them.
        let plain = names.allSatisfy { name in name.first.map { $0.isLetter || $0.isNumber } == true
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-.+=".contains($0)) } }
        let prefixFree = !names.contains { a in names.contains { b in a != b && b.hasPrefix(a) } }
        let width = String(names.count).count
        let datasets = names.enumerated().map { position, name in
            let rows = rowsByName[name]!.sorted { a, b in a.lexicographicallyPrecedes(b) }
            let finalName = plain && prefixFree ? name : "series" + String(repeating: "0", count: width - String(position + 1).count) + String(position + 1)
            return NamedDataset(name: finalName, rows: rows)
        }
        return DataFile(name: "collected", columns: columns, provenance: Provenance(command: command, seed: nil, version: version),
                        datasets: datasets.isEmpty ? [NamedDataset(name: "all", blocks: [])] : datasets)
    }

    /// Writes `collected.md`, `collected.tex` and `collected.dat` (its provenance `command`) into
    /// `directory`, each atomically, and returns the Markdown and LaTeX text.
    public func write(in directory: URL, command: String) throws -> (markdown: String, latex: String) {
        let markdown = try table.markdown(), latex = try table.latex()
        try writeAtomically(markdown, to: directory.appendingPathComponent("collected.md"))
        try writeAtomically(latex, to: directory.appendingPathComponent("collected.tex"))
        try dataFile(command: command, version: toolkitVersion).write(in: directory)
        return (markdown, latex)
    }
}
