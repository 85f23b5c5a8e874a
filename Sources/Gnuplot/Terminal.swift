/// The gnuplot output devices a script can target, with fixed sizes per panel so a figure's
/// size depends only on its layout: 640×480 pixels (png, svg) or 5×3.75 inches (pdf) per panel.
public enum Terminal: CaseIterable, Equatable, Sendable {
    /// Anti-aliased PNG through cairo.
    case pngcairo
    /// Vector PDF through cairo.
    case pdfcairo
    /// Scalable vector graphics.
    case svg

    /// The extension of the output file: `png`, `pdf` or `svg`.
    public var fileExtension: String {
        switch self {
        case .pngcairo: "png"
        case .pdfcairo: "pdf"
        case .svg: "svg"
        }
    }

    /// The `set terminal` line for a figure of `rows` × `columns` panels.
    func command(rows: Int, columns: Int) -> String {
        switch self {
        case .pngcairo:
            "set terminal pngcairo size \(640 * columns),\(480 * rows) noenhanced font \(quoted(ScriptStyle.font)) linewidth 1 background rgb \"white\""
        case .pdfcairo:
            "set terminal pdfcairo size \(gnuplotNumber(5 * Double(columns)))in,\(gnuplotNumber(3.75 * Double(rows)))in noenhanced font \(quoted(ScriptStyle.font)) linewidth 1"
        case .svg:
            "set terminal svg size \(640 * columns),\(480 * rows) fixed noenhanced font \(quoted(ScriptStyle.font)) linewidth 1 background rgb \"white\""
        }
    }
}
