/// A point of a 2-D diagram, optionally labelled at its position.
public struct DiagramPoint: Equatable, Sendable {
    /// The abscissa.
    public var x: Double
    /// The ordinate.
    public var y: Double
    /// Text drawn to the right of the point, or `nil`.
    public var label: String?

    /// A point at (x, y).
    public init(x: Double, y: Double, label: String? = nil) {
        self.x = x
        self.y = y
        self.label = label
    }

    /// The point of the equilateral triangle with vertices (0, 0), (1, 0), (1/2, √3/2) whose
    /// barycentric coordinates are `u`: x = u₁ + u₂/2, y = (√3/2)·u₂. For a point u of the
    /// simplex Δ² this draws u inside the triangle, vertex i being the one-hot row eᵢ.
    public init(barycentric u: (Double, Double, Double), label: String? = nil) {
        self.init(x: u.1 + u.2 / 2, y: 3.0.squareRoot() / 2 * u.2, label: label)
    }
}

/// Points of a diagram drawn in one style, e.g. the closed triangle, projected points or a path.
public struct PointSet: Equatable, Sendable {
    /// The dataset name in the diagram's data file (a plain name, not a prefix of another set's).
    public var name: String
    /// The points, in drawing order; repeat the first to close a polygon.
    public var points: [DiagramPoint]
    /// How the points are drawn.
    public var style: SeriesStyle
    /// The key text, or `nil` to keep the set out of the key.
    public var title: String?

    /// Creates a point set.
    public init(name: String, points: [DiagramPoint], style: SeriesStyle = .linespoints, title: String? = nil) {
        self.name = name
        self.points = points
        self.style = style
        self.title = title
    }
}

/// A 2-D diagram of labelled point sets, such as a simplex with projected points and an
/// optimisation path: one data file (columns `x`, `y`; one dataset per point set) and one
/// single-panel figure with equal axis scales, hidden axes and every point label drawn.
public struct Diagram: Equatable, Sendable {
    /// The name of the data file and figure.
    public var name: String
    /// The panel title, or `nil`.
    public var title: String?
    /// The point sets, drawn in order.
    public var pointSets: [PointSet]
    /// Written into the data file's header.
    public var provenance: Provenance
    /// Where the key goes.
    public var key: Panel.KeyPosition

    /// Creates a diagram.
    public init(name: String, title: String? = nil, pointSets: [PointSet], provenance: Provenance,
                key: Panel.KeyPosition = .topRight) {
        self.name = name
        self.title = title
        self.pointSets = pointSets
        self.provenance = provenance
        self.key = key
    }

    /// The data file: columns `x` and `y`, one single-block dataset per point set.
    public var dataFile: DataFile {
        DataFile(name: name, columns: [DataColumn("x"), DataColumn("y")], provenance: provenance,
                 datasets: pointSets.map { set in NamedDataset(name: set.name, rows: set.points.map { [$0.x, $0.y] }) })
    }

    /// The figure drawing every point set from `dataFile` and a label at each labelled point.
    public var figure: Figure {
        let data = dataFile
        let series = pointSets.map {
            Series(data: data, dataset: .name($0.name), x: "x", y: "y", style: $0.style, title: $0.title)
        }
        let labels = pointSets.flatMap(\.points).compactMap { point in
            point.label.map { Label($0, x: point.x, y: point.y) }
        }
        return Figure(name: name, panels: [Panel(title: title, key: key, series: series, labels: labels,
                                                 equalAspect: true, showsAxes: false)])
    }
}
