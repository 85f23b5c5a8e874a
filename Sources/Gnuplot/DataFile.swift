import Foundation
import Support

/// A gnuplot data file: a `#` header, then named datasets.
///
/// The text is, exactly:
/// ```
/// # [PMFKit data file] NAME.dat
/// # [command] COMMAND
/// # [seed] SEED            (or "none")
/// # [version] VERSION
/// # [column 1] NAME [UNIT]   (one line per column)
/// # [missing] NaN
/// # DATASET-NAME
/// v v v                    (values separated by one space, shortest round-trip decimals)
///                          (one blank line between blocks of a dataset)
///
///                          (two blank lines between datasets)
/// # NEXT-DATASET-NAME
/// …
/// ```
/// Non-finite values are written as `missingValueText`.
///
/// gnuplot's `index "name"` picks the first dataset containing a comment line whose text *starts
/// with* `name` — header lines included. So dataset names are plain names (`isPlainName`: a
/// letter or digit first, then letters, digits, `_-.+=`), none is a prefix of another, and header
/// lines start with `[`, which no name does. Then `index "name"` selects exactly that dataset.
public struct DataFile: Equatable, Sendable {
    /// The file's name without the `.dat` extension; a plain name.
    public var name: String
    /// The columns, in order; every row of every dataset has exactly one value per column.
    public var columns: [DataColumn]
    /// The command, seed and version written into the header.
    public var provenance: Provenance
    /// The datasets, in file order (gnuplot's `index 0`, `index 1`, …).
    public var datasets: [NamedDataset]

    /// Creates a data file description; it is checked when its text is produced.
    public init(name: String, columns: [DataColumn], provenance: Provenance, datasets: [NamedDataset]) {
        self.name = name
        self.columns = columns
        self.provenance = provenance
        self.datasets = datasets
    }

    /// `NAME.dat`, the file name scripts refer to.
    public var fileName: String { "\(name).dat" }

    /// The 1-based gnuplot column number of the column called `name`, or `nil`.
    public func columnNumber(named name: String) -> Int? {
        columns.firstIndex { $0.name == name }.map { $0 + 1 }
    }

    /// The 0-based position of the dataset called `name`, or `nil`.
    public func datasetIndex(named name: String) -> Int? {
        datasets.firstIndex { $0.name == name }
    }

    /// The file's full text, as documented on the type.
    /// - Throws: `GnuplotError.invalidDataFile` naming the file and the problem.
    public func text() throws -> String {
        try validate()
        var lines = ["# [PMFKit data file] \(fileName)",
                     "# [command] \(provenance.command)",
                     "# [seed] \(provenance.seed.map(String.init) ?? "none")",
                     "# [version] \(provenance.version)"]
        lines += columns.enumerated().map { "# [column \($0.offset + 1)] \($0.element.headerText)" }
        lines.append("# [missing] \(missingValueText)")
        for (position, dataset) in datasets.enumerated() {
            if position > 0 { lines += ["", ""] }
            lines.append("# \(dataset.name)")
            for (blockPosition, block) in dataset.blocks.enumerated() {
                if blockPosition > 0 { lines.append("") }
                lines += block.map { $0.map(gnuplotNumber).joined(separator: " ") }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the text to `directory/NAME.dat` atomically and returns that URL.
    /// - Throws: `GnuplotError.invalidDataFile`, or `WriteError`.
    @discardableResult
    public func write(in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(fileName)
        try writeAtomically(try text(), to: url)
        return url
    }

    /// Checks the rules stated on the type.
    private func validate() throws {
        func fail(_ problem: String) -> GnuplotError {
            .invalidDataFile("data file \(fileName): \(problem)")
        }
        guard isPlainName(name) else {
            throw fail("the file name must start with a letter or digit and use only letters, digits and _-.+=")
        }
        let headerFields = [provenance.command, provenance.version] + columns.flatMap { [$0.name, $0.unit ?? ""] }
        if headerFields.contains(where: { $0.contains(where: \.isNewline) }) {
            throw fail("command, version and column names and units must be single lines")
        }
        guard !columns.isEmpty, columns.allSatisfy({ !$0.name.isEmpty }) else {
            throw fail("give at least one column, each with a non-empty name")
        }
        guard Set(columns.map(\.name)).count == columns.count else {
            throw fail("column names must be distinct, so figures can refer to them")
        }
        for dataset in datasets {
            guard isPlainName(dataset.name) else {
                throw fail("dataset name \"\(dataset.name)\" must start with a letter or digit and use only letters, digits and _-.+=")
            }
            if let other = datasets.first(where: { $0.name != dataset.name && $0.name.hasPrefix(dataset.name) }) {
                throw fail("dataset name \"\(dataset.name)\" is a prefix of \"\(other.name)\"; gnuplot's index \"\(dataset.name)\" would be ambiguous, rename one")
            }
            guard datasets.filter({ $0.name == dataset.name }).count == 1 else {
                throw fail("dataset name \"\(dataset.name)\" is used twice")
            }
            for (blockPosition, block) in dataset.blocks.enumerated() {
                if block.isEmpty {
                    throw fail("dataset \"\(dataset.name)\" block \(blockPosition) is empty; gnuplot would merge its separators")
                }
                if let row = block.firstIndex(where: { $0.count != columns.count }) {
                    throw fail("dataset \"\(dataset.name)\" block \(blockPosition) row \(row) has \(block[row].count) values for \(columns.count) columns")
                }
            }
            if dataset.blocks.isEmpty {
                throw fail("dataset \"\(dataset.name)\" has no rows; gnuplot cannot select an empty dataset")
            }
        }
    }
}
