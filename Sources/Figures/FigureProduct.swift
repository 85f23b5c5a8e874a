import Foundation
import Gnuplot
import Support

/// What one entry of the catalogue produces: figures (data + script + rendering), tables
/// (Markdown + LaTeX) and notes for the user (skipped parts and why).
public struct FigureProduct: Sendable {
    /// A table with the base name of its files, a caption above it and notes below it.
    public struct NamedTable: Sendable {
        /// `NAME.md` and `NAME.tex` are written.
        public var name: String
        /// The table.
        public var table: Table
        /// One paragraph above the table (LaTeX: a comment line above the tabular).
        public var caption: String
        /// Paragraphs below the table in the Markdown file (LaTeX: comment lines).
        public var notes: [String]

        /// Creates a named table.
        public init(name: String, table: Table, caption: String, notes: [String] = []) {
            self.name = name
            self.table = table
            self.caption = caption
            self.notes = notes
        }

        /// The Markdown file's text: caption, table, notes.
        public func markdown() throws -> String {
            ([caption, try table.markdown().trimmingCharacters(in: .newlines)] + notes).joined(separator: "\n\n") + "\n"
        }

        /// The LaTeX file's text: the caption and notes as `%` comments, then the tabular.
        public func latex() throws -> String {
            let comments = ([caption] + notes).flatMap { $0.split(whereSeparator: \.isNewline) }.map { "% \($0)" }
            return comments.joined(separator: "\n") + "\n" + (try table.latex())
        }
    }

    /// The figures, each exported as its data files, one script per terminal and the renderings.
    public var figures: [Figure]
    /// The tables.
    public var tables: [NamedTable]
    /// One line per skipped or partial item, e.g. a method this build cannot train.
    public var notes: [String]

    /// Creates a product.
    public init(figures: [Figure] = [], tables: [NamedTable] = [], notes: [String] = []) {
        self.figures = figures
        self.tables = tables
        self.notes = notes
    }

    /// The files a successful `write` leaves, relative to the output folder, in writing order.
    public func fileNames(terminals: [Terminal]) throws -> [String] {
        try figures.flatMap { figure in
            try figure.dataFiles().map(\.fileName)
                + terminals.flatMap { [figure.scriptFileName(for: $0), figure.outputFileName(for: $0)] }
        } + tables.flatMap { ["\($0.name).md", "\($0.name).tex"] }
    }

    /// Writes every data file, script and table into `directory` (atomically) and renders the
    /// scripts with `program`. Returns the render outcomes (with instructions when gnuplot is absent).
    /// - Throws: `GnuplotError` for invalid figures, failed writes or gnuplot errors and warnings.
    public func write(to directory: URL, terminals: [Terminal], program: GnuplotProgram?) throws -> [RenderOutcome] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for table in tables {
            try writeAtomically(try table.markdown(), to: directory.appendingPathComponent("\(table.name).md"))
            try writeAtomically(try table.latex(), to: directory.appendingPathComponent("\(table.name).tex"))
        }
        return try figures.flatMap { try $0.export(to: directory, terminals: terminals, program: program) }
    }
}
