/// The fixed look of every generated script, so equal figures give byte-identical scripts and
/// all figures of the paper share one style.
enum ScriptStyle {
    /// Font of all text, at 10 points.
    static let font = "DejaVu Sans,10"
    /// The Okabe–Ito colour-blind-safe palette (black last), used for series 1, 2, … in order.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
    /// gnuplot point types paired with the palette entries: filled circle, square, triangles, diamond, ….
    static let pointTypes = [7, 5, 9, 11, 13, 6, 4, 1]
    /// Line width of curves.
    static let lineWidth = "1.5"
    /// Marker scale.
    static let pointSize = "0.8"

    /// The `set linetype` lines defining the palette, then `set linetype cycle`.
    static var linetypeCommands: [String] {
        palette.indices.map {
            "set linetype \($0 + 1) linecolor rgb \(quoted(palette[$0])) linewidth \(lineWidth) dashtype solid pointtype \(pointTypes[$0]) pointsize \(pointSize)"
        } + ["set linetype cycle \(palette.count)"]
    }
}
