import Foundation
import Gnuplot
import Simplex

/// Fig. 1: for m = 1 and Q = {−1, 0, 1}, the 2-simplex (vertex eᵢ is the level qᵢ) with an
/// infeasible ũ and its hardmax, sparsemax and softmax projections, the softmax path as β grows
/// (it starts near the centre and ends at hardmax's vertex), and, in a second panel, the segment
/// [−1, 1] of the values w = u·q of the same points.
public struct SimplexFigure: Equatable, Sendable {
    /// The infeasible point: Σ ũ = 1 so it lies in the simplex's plane, with a negative entry so it
    /// lies outside the triangle. Its three projections are three distinct points.
    public var point: [Double]
    /// β of the marked softmax and sparsemax points.
    public var beta: Double
    /// The β values of the softmax path, from small (near the uniform point) to large (a vertex).
    public var pathBetas: [Double]
    /// Written into the data files.
    public var provenance: Provenance

    /// The figure's default: ũ = (−0.3, 0.55, 0.75), β = 1, path β = 10^(−1 … 3) in 25 steps.
    public init(point: [Double] = [-0.3, 0.55, 0.75], beta: Double = 1,
                pathBetas: [Double] = (0 ... 24).map { pow(10, -1 + 4 * Double($0) / 24) }, provenance: Provenance) {
        self.point = point
        self.beta = beta
        self.pathBetas = pathBetas
        self.provenance = provenance
    }

    /// The level set drawn.
    public static let levels = QuantizationLevels.ternary

    /// hardmax(ũ), sparsemax(βũ), softmax(βũ), with their names.
    public var projections: [(name: String, u: [Double])] {
        [("hardmax", Projection<Double>.hardmax(point)),
         ("sparsemax", Projection<Double>.sparsemax(beta: beta)(point)),
         ("softmax", Projection<Double>.softmax(beta: beta)(point))]
    }

    /// softmax(βũ) for each β of `pathBetas`.
    public var path: [[Double]] {
        pathBetas.map { Projection<Double>.softmax(beta: $0)(point) }
    }

    /// The simplex diagram: datasets `simplex` (closed triangle), `point`, `hardmax`, `sparsemax`,
    /// `softmax` and `path`.
    public var simplexDiagram: Diagram {
        let levelValues = Self.levels.values
        func onTriangle(_ u: [Double], _ label: String? = nil) -> DiagramPoint {
            DiagramPoint(barycentric: (u[0], u[1], u[2]), label: label)
        }
        let vertices = (0 ..< 3).map { i in
            onTriangle((0 ..< 3).map { $0 == i ? 1 : 0 }, "q = \(gnuplotLevel(levelValues[i]))")
        }
        let pathPoints = path.enumerated().map { position, u in
            onTriangle(u, position == 0 ? "β = \(gnuplotLevel(pathBetas[0]))" : nil)
        }
        return Diagram(
            name: "fig1-simplex", title: "Δ² for Q = {−1, 0, 1}: projections of an infeasible ũ",
            pointSets: [PointSet(name: "simplex", points: vertices + [vertices[0]], style: .linespoints),
                        PointSet(name: "point", points: [onTriangle(point, "ũ")], style: .points, title: "ũ (infeasible)")]
                + projections.map { PointSet(name: $0.name, points: [onTriangle($0.u)], style: .points, title: title(of: $0.name)) }
                + [PointSet(name: "path", points: pathPoints, style: .linespoints, title: "softmax(βũ), β = 0.1 … 1000")],
            provenance: provenance, key: .topLeft)
    }

    /// The segment [−1, 1] of w = u·q: datasets `segment`, then the values of the projections and
    /// the path, all at height 0.
    public var segmentDiagram: Diagram {
        let q = Self.levels.values
        func w(_ u: [Double]) -> Double { Self.levels.lift(u) }
        return Diagram(
            name: "fig1-segment", title: "w = u·q on [−1, 1]",
            pointSets: [PointSet(name: "segment", points: q.map { DiagramPoint(x: $0, y: 0, label: gnuplotLevel($0)) }, style: .linespoints)]
                + projections.map { PointSet(name: $0.name, points: [DiagramPoint(x: w($0.u), y: 0)], style: .points, title: title(of: $0.name)) }
                + [PointSet(name: "path", points: path.map { DiagramPoint(x: w($0), y: 0) }, style: .points, title: "softmax path")],
            provenance: provenance, key: .none)
    }

    /// The two panels side by side; the segment panel gets a fixed thin vertical range.
    public var figure: Figure {
        var segmentPanel = segmentDiagram.figure.panels[0]
        segmentPanel.y = Axis(lower: -0.5, upper: 0.5)
        segmentPanel.x = Axis(lower: -1.2, upper: 1.2)
        return Figure(name: "fig1-simplex", panels: [simplexDiagram.figure.panels[0], segmentPanel])
    }

    private func title(of projection: String) -> String {
        switch projection {
        case "hardmax": "hardmax(ũ)"
        case "sparsemax": "sparsemax(βũ), β = \(gnuplotLevel(beta))"
        default: "softmax(βũ), β = \(gnuplotLevel(beta))"
        }
    }
}

/// A short decimal for labels: integers without a fraction, others with up to three digits.
func gnuplotLevel(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(format: "%.3g", value)
}
