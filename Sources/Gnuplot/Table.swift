/// A small table of text cells written as Markdown or LaTeX (e.g. the paper's Table 2).
public struct Table: Equatable, Sendable {
    /// How a column's cells are aligned.
    public enum Alignment: Equatable, Sendable {
        /// Flush left.
        case left
        /// Centred.
        case center
        /// Flush right (for numbers).
        case right
    }

    /// The column headings.
    public var header: [String]
    /// One alignment per column.
    public var alignments: [Alignment]
    /// The rows, each with one cell per column.
    public var rows: [[String]]

    /// Creates a table; `alignments` defaults to left for every column.
    public init(header: [String], alignments: [Alignment]? = nil, rows: [[String]]) {
        self.header = header
        self.alignments = alignments ?? header.map { _ in .left }
        self.rows = rows
    }

    /// A GitHub-flavoured Markdown table: cells padded with spaces to their column's width (in
    /// characters), `|` in a cell escaped as `\|`, alignment row `:---`, `:---:` or `---:`
    /// as wide as the padded cells (columns are at least three characters wide), a line break after every row.
    /// - Throws: `GnuplotError.invalidTable` when a row or the alignments do not match the header.
    public func markdown() throws -> String {
        try validate()
        let escape = { (cell: String) in cell.replacingOccurrences(of: "|", with: "\\|") }
        let cells = ([header] + rows).map { $0.map(escape) }
        let widths = header.indices.map { column in max(3, cells.map { $0[column].count }.max() ?? 0) }
        func line(_ row: [String]) -> String {
            "| " + row.indices.map { pad(row[$0], to: widths[$0], alignments[$0]) }.joined(separator: " | ") + " |"
        }
        let rule = "|" + header.indices.map { column -> String in
            let dashes = String(repeating: "-", count: widths[column])
            switch alignments[column] {
            case .left: return ":-" + dashes
            case .center: return ":" + dashes + ":"
            case .right: return dashes + "-:"
            }
        }.joined(separator: "|") + "|"
        return ([line(cells[0]), rule] + cells.dropFirst().map(line)).joined(separator: "\n") + "\n"
    }

    /// A LaTeX `tabular` with booktabs rules (`\toprule`, `\midrule`, `\bottomrule`; needs
    /// `\usepackage{booktabs}`), columns `l`, `c`, `r`. Cells are plain text: the characters
    /// `\ & % $ # _ { } ~ ^` are escaped so they print as themselves.
    /// - Throws: `GnuplotError.invalidTable` when a row or the alignments do not match the header.
    public func latex() throws -> String {
        try validate()
        let spec = alignments.map { alignment -> String in
            switch alignment {
            case .left: "l"
            case .center: "c"
            case .right: "r"
            }
        }.joined()
        let line = { (row: [String]) in row.map(latexEscaped).joined(separator: " & ") + " \\\\" }
        return (["\\begin{tabular}{\(spec)}", "\\toprule", line(header), "\\midrule"]
            + rows.map(line) + ["\\bottomrule", "\\end{tabular}"]).joined(separator: "\n") + "\n"
    }

    private func validate() throws {
        guard !header.isEmpty else { throw GnuplotError.invalidTable("a table needs at least one column") }
        guard alignments.count == header.count else {
            throw GnuplotError.invalidTable("\(alignments.count) alignments for \(header.count) columns; give one per column")
        }
        if let row = rows.firstIndex(where: { $0.count != header.count }) {
            throw GnuplotError.invalidTable("row \(row) has \(rows[row].count) cells for \(header.count) columns")
        }
        if ([header] + rows).joined().contains(where: { $0.contains(where: \.isNewline) }) {
            throw GnuplotError.invalidTable("a cell contains a line break; table cells are single lines")
        }
    }

    private func pad(_ cell: String, to width: Int, _ alignment: Alignment) -> String {
        let room = width - cell.count
        switch alignment {
        case .left: return cell + String(repeating: " ", count: room)
        case .right: return String(repeating: " ", count: room) + cell
        case .center:
            return String(repeating: " ", count: room / 2) + cell + String(repeating: " ", count: room - room / 2)
        }
    }

    private func latexEscaped(_ cell: String) -> String {
        var result = ""
        for character in cell {
            switch character {
            case "\\": result += "\\textbackslash{}"
            case "~": result += "\\textasciitilde{}"
            case "^": result += "\\textasciicircum{}"
            case "&", "%", "$", "#", "_", "{", "}": result += "\\" + String(character)
            default: result.append(character)
            }
        }
        return result
    }
}
