/// One plot of a figure: title, axes, key position, labels and the series drawn.
public struct Panel: Equatable, Sendable {
    /// Where the key (legend) goes, inside the plot area.
    public enum KeyPosition: Equatable, Sendable {
        /// Inside, top right corner.
        case topRight
        /// Inside, top left corner.
        case topLeft
        /// Inside, bottom right corner.
        case bottomRight
        /// Inside, bottom left corner.
        case bottomLeft
        /// No key.
        case none
    }

    /// The panel title, or `nil` for none.
    public var title: String?
    /// The horizontal axis.
    public var x: Axis
    /// The vertical axis.
    public var y: Axis
    /// The key position.
    public var key: KeyPosition
    /// The curves, drawn in order with palette colours 1, 2, … (cycling after 8).
    public var series: [Series]
    /// Texts at data points.
    public var labels: [Label]
    /// When `true`, one unit on x has the same length as one unit on y (`set size ratio -1`),
    /// as geometric diagrams need.
    public var equalAspect: Bool
    /// When `false`, border and tics are hidden (for diagrams whose coordinates mean nothing).
    public var showsAxes: Bool

    /// Creates a panel; by default it has linear automatic axes and a key at the top right.
    public init(title: String? = nil, x: Axis = Axis(), y: Axis = Axis(), key: KeyPosition = .topRight,
                series: [Series], labels: [Label] = [], equalAspect: Bool = false, showsAxes: Bool = true) {
        self.title = title
        self.x = x
        self.y = y
        self.key = key
        self.series = series
        self.labels = labels
        self.equalAspect = equalAspect
        self.showsAxes = showsAxes
    }
}
