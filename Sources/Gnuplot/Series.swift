/// A column of a data file, by its name in the header or by its 1-based gnuplot number.
public enum ColumnReference: Hashable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    /// The column whose `DataColumn.name` is this.
    case name(String)
    /// gnuplot's column number, starting at 1.
    case number(Int)

    /// A reference by name: `"loss"`.
    public init(stringLiteral value: String) { self = .name(value) }
    /// A reference by number: `2`.
    public init(integerLiteral value: Int) { self = .number(value) }
}

/// A dataset of a data file, by name (written as `index "name"`) or by 0-based position
/// (written as `index N`).
public enum DatasetSelector: Hashable, Sendable, ExpressibleByStringLiteral {
    /// The dataset called this.
    case name(String)
    /// The dataset at this 0-based position.
    case index(Int)

    /// A selection by name: `"train"`.
    public init(stringLiteral value: String) { self = .name(value) }
}

/// How a series is drawn. Colours, widths and point types come from the script's fixed palette.
public enum SeriesStyle: Hashable, Sendable {
    /// A polyline through the points, broken between blocks; missing points are skipped.
    case lines
    /// A marker at each point.
    case points
    /// A polyline with a marker at each point.
    case linespoints
    /// A marker at each point with a vertical error bar of half-length given by this column.
    case errorbars(ColumnReference)
    /// A polyline with a marker and a vertical error bar (half-length from this column) at each point.
    case errorlines(ColumnReference)
}

/// One curve of a panel: x and y columns of one dataset of a data file, a style and a key title.
public struct Series: Equatable, Sendable {
    /// The data file the values come from; it is written next to the script.
    public var data: DataFile
    /// Which dataset of `data` is drawn.
    public var dataset: DatasetSelector
    /// The abscissa column.
    public var x: ColumnReference
    /// The ordinate column.
    public var y: ColumnReference
    /// How the points are drawn.
    public var style: SeriesStyle
    /// The text in the key, or `nil` to leave the series out of the key.
    public var title: String?
    /// The palette entry (colour and point type, 1-based, cycling after 8), or `nil` for the
    /// series' position in its panel. Give it when panels leave out different series, so that one
    /// curve keeps its colour across panels.
    public var lineType: Int?

    /// Creates a series; columns and dataset are checked against `data` when the script is made.
    public init(data: DataFile, dataset: DatasetSelector, x: ColumnReference, y: ColumnReference,
                style: SeriesStyle = .lines, title: String? = nil, lineType: Int? = nil) {
        self.data = data
        self.dataset = dataset
        self.x = x
        self.y = y
        self.style = style
        self.title = title
        self.lineType = lineType
    }
}
