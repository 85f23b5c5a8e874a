/// A figure: one or more panels laid out in a grid, described as data rather than as a
/// plotting routine. `script(for:)` turns it into a gnuplot script, `export(to:terminals:program:)`
/// writes and renders it.
public struct Figure: Equatable, Sendable {
    /// The figure's name, a plain name (`isPlainName`); outputs are `NAME.png`, `NAME.pdf`, `NAME.svg`.
    public var name: String
    /// A title over all panels, or `nil`.
    public var title: String?
    /// Grid rows of the multiplot layout.
    public var rows: Int
    /// Grid columns of the multiplot layout.
    public var columns: Int
    /// The panels, filled row by row; at most `rows × columns`.
    public var panels: [Panel]

    /// Creates a figure with its panels side by side in one row, unless `rows` and `columns` say otherwise.
    public init(name: String, title: String? = nil, rows: Int = 1, columns: Int? = nil, panels: [Panel]) {
        self.name = name
        self.title = title
        self.rows = rows
        self.columns = columns ?? max(1, panels.count)
        self.panels = panels
    }

    /// The script's file name for `terminal`: `NAME.EXT.gp`, e.g. `fig2.png.gp`, so scripts
    /// for different terminals can share a folder.
    public func scriptFileName(for terminal: Terminal) -> String {
        "\(outputFileName(for: terminal)).gp"
    }

    /// The file the script for `terminal` writes: `NAME.EXT`, e.g. `fig2.pdf`.
    public func outputFileName(for terminal: Terminal) -> String {
        "\(name).\(terminal.fileExtension)"
    }
}
