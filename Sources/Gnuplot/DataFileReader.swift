import Foundation

/// Reading back the data files `DataFile.text()` writes — figures, a run's `trace.dat`, the
/// checks' evidence, `pmf mrf solve --trace` — so figures can be built from files written elsewhere.
extension DataFile {
    /// Parses the text `DataFile.text()` writes: the `# [PMFKit data file] NAME.dat`,
    /// `# [command]`, `# [seed]`, `# [version]`, `# [column N] NAME [UNIT]` and `# [missing]` header
    /// lines, then datasets, each opened by a `# NAME` line, blocks separated by one blank line and
    /// datasets by two. Values that are not numbers (the missing-value text `NaN`, gnuplot's `nan`)
    /// read as NaN. Rows before any `# NAME` line form a dataset named `data`.
    /// - Parameter source: names the file in error messages.
    /// - Throws: `GnuplotError.unreadableDataFile` naming `source`, the line and what was expected.
    public init(parsing text: String, source: String) throws {
        var name = URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent
        var command = "", version = "", seed: UInt64?
        var columns: [DataColumn] = []
        var datasets: [NamedDataset] = []
        var currentName: String?
        var blocks: [[[Double]]] = []
        var block: [[Double]] = []
        var blankRun = 0

        func closeBlock() {
            if !block.isEmpty { blocks.append(block) }
            block = []
        }
        func closeDataset() {
            closeBlock()
            if !blocks.isEmpty { datasets.append(NamedDataset(name: currentName ?? "data", blocks: blocks)) }
            blocks = []
        }

        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            let lineNumber = offset + 1
            if line.isEmpty {
                blankRun += 1
                if blankRun == 1 { closeBlock() }
                continue
            }
            defer { blankRun = 0 }
            if line.hasPrefix("#") {
                let comment = line.dropFirst().trimmingCharacters(in: .whitespaces)
                if comment.hasPrefix("[") {
                    guard let close = comment.firstIndex(of: "]") else {
                        throw GnuplotError.unreadableDataFile("\(source):\(lineNumber): header line has no closing ']'; regenerate the file with the Gnuplot module")
                    }
                    let key = comment[comment.index(after: comment.startIndex) ..< close]
                    let value = comment[comment.index(after: close)...].trimmingCharacters(in: .whitespaces)
                    switch key {
                    case "PMFKit data file": name = URL(fileURLWithPath: value).deletingPathExtension().lastPathComponent
                    case "command": command = value
                    case "seed": seed = UInt64(value)
                    case "version": version = value
                    case "missing": break
                    case let key where key.hasPrefix("column "):
                        columns.append(Self.column(from: value))
                    default: break
                    }
                } else if !comment.isEmpty {
                    closeDataset()
                    currentName = comment
                }
                continue
            }
            let values = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { Double($0) ?? .nan }
            if !columns.isEmpty, values.count != columns.count {
                throw GnuplotError.unreadableDataFile("\(source):\(lineNumber): \(values.count) values for \(columns.count) columns; the file is damaged, regenerate it")
            }
            block.append(values)
        }
        closeDataset()
        if columns.isEmpty, let width = datasets.first?.blocks.first?.first?.count {
            columns = (1 ... width).map { DataColumn("column\($0)") }
        }
        self.init(name: name, columns: columns, provenance: Provenance(command: command, seed: seed, version: version),
                  datasets: datasets)
    }

    /// Reads and parses the data file at `url`.
    /// - Throws: `GnuplotError.unreadableDataFile` when it cannot be read or parsed.
    public init(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw GnuplotError.unreadableDataFile("\(url.path): cannot read the data file; check that the command producing it ran")
        }
        try self.init(parsing: String(decoding: data, as: UTF8.self), source: url.path)
    }

    /// The values of the column called `name` in every row of the dataset at `index`, blocks joined.
    /// - Throws: `GnuplotError.unreadableDataFile` listing the columns the file has.
    public func values(of name: String, inDatasetAt index: Int = 0, source: String? = nil) throws -> [Double] {
        guard let column = columnNumber(named: name) else {
            throw GnuplotError.unreadableDataFile("\(source ?? fileName): no column \"\(name)\"; it has \(columns.map(\.name).joined(separator: ", "))")
        }
        guard datasets.indices.contains(index) else {
            throw GnuplotError.unreadableDataFile("\(source ?? fileName): no dataset \(index); it has \(datasets.count)")
        }
        return datasets[index].blocks.joined().map { $0[column - 1] }
    }

    /// `NAME [UNIT]` → a column; a trailing bracketed part is the unit.
    private static func column(from text: String) -> DataColumn {
        if text.hasSuffix("]"), let open = text.lastIndex(of: "[") {
            let name = text[..<open].trimmingCharacters(in: .whitespaces)
            let unit = String(text[text.index(after: open) ..< text.index(before: text.endIndex)])
            return DataColumn(name, unit: unit)
        }
        return DataColumn(text)
    }
}
