import Foundation
import Gnuplot
import Testing

/// A fresh empty folder under the system's temporary directory; the caller removes it.
func makeTemporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("GnuplotTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The gnuplot on PATH. When it is missing the calling test fails with a message saying how to
/// install it, unless `PMF_ALLOW_NO_GNUPLOT=1`, in which case `nil` is returned silently.
func gnuplotForTest(sourceLocation: SourceLocation = #_sourceLocation) -> GnuplotProgram? {
    if let program = GnuplotProgram.onPath() { return program }
    if ProcessInfo.processInfo.environment["PMF_ALLOW_NO_GNUPLOT"] != "1" {
        Issue.record("gnuplot is not on PATH: install it (scripts/install-deps.sh installs gnuplot-nox) or set PMF_ALLOW_NO_GNUPLOT=1 to skip the rendering checks",
                     sourceLocation: sourceLocation)
    }
    return nil
}

let provenance = Provenance(command: "pmf test --seed 7", seed: 7, version: "PMFKit 0.1.0")

/// A training-curve file shaped like the paper's Fig. 2 data: per method, epoch vs loss and accuracy.
func trainingCurves() -> DataFile {
    func rows(_ scale: Double) -> [[Double]] {
        (1 ... 6).map { epoch in
            let e = Double(epoch)
            return [e, scale / e, 90 + 9 * (1 - 1 / e), 0.5 / e]
        }
    }
    var withGap = rows(3)
    withGap[2][1] = .nan
    withGap[4][1] = .infinity
    return DataFile(name: "fig2", columns: [DataColumn("epoch"), DataColumn("loss", unit: "nats"),
                                            DataColumn("accuracy", unit: "%"), DataColumn("std", unit: "%")],
                    provenance: provenance,
                    datasets: [NamedDataset(name: "reference", rows: rows(2)), NamedDataset(name: "pmf", rows: withGap)])
}

/// The two-panel loss / accuracy figure over `trainingCurves()`.
func lossAndAccuracyFigure() -> Figure {
    let data = trainingCurves()
    let loss = Panel(title: "Training loss", x: Axis(label: "epoch"), y: Axis(label: "loss (nats)", scale: .logarithmic),
                     series: [Series(data: data, dataset: "reference", x: "epoch", y: "loss", title: "REF (float)"),
                              Series(data: data, dataset: "pmf", x: 1, y: 2, style: .linespoints, title: "PMF \"binary\"")])
    let accuracy = Panel(title: "Validation accuracy", x: Axis(label: "epoch", lower: 0, upper: 7),
                         y: Axis(label: "accuracy (%)", lower: 85, upper: 100), key: .bottomRight,
                         series: [Series(data: data, dataset: .index(0), x: "epoch", y: "accuracy",
                                         style: .errorbars("std"), title: "REF"),
                                  Series(data: data, dataset: "pmf", x: "epoch", y: "accuracy", style: .points)],
                         labels: [Label("β = 1.05", x: 3, y: 95, placement: .above)])
    return Figure(name: "fig2", title: "Fig. 2", panels: [loss, accuracy])
}

/// A simplex diagram: the triangle, two projected points and a path between them.
func simplexDiagram() -> Diagram {
    let triangle = PointSet(name: "triangle", points: [
        DiagramPoint(barycentric: (1, 0, 0), label: "q1 = -1"), DiagramPoint(barycentric: (0, 1, 0), label: "q2 = 0"),
        DiagramPoint(barycentric: (0, 0, 1), label: "q3 = 1"), DiagramPoint(barycentric: (1, 0, 0)),
    ], style: .lines)
    let points = PointSet(name: "projected", points: [DiagramPoint(barycentric: (0.2, 0.3, 0.5), label: "softmax"),
                                                       DiagramPoint(barycentric: (0, 0.4, 0.6), label: "sparsemax")],
                          style: .points, title: "projections")
    let path = PointSet(name: "path", points: [DiagramPoint(barycentric: (1 / 3.0, 1 / 3.0, 1 / 3.0)),
                                               DiagramPoint(barycentric: (0.2, 0.3, 0.5)),
                                               DiagramPoint(barycentric: (0.05, 0.15, 0.8))],
                        title: "PMF iterates")
    return Diagram(name: "simplex", title: "Projections onto the simplex", pointSets: [triangle, points, path],
                   provenance: provenance)
}

/// The (x, y) pairs of a gnuplot `set table` output: comment and blank lines skipped, only
/// points of type `i` (inrange) kept.
func tablePoints(_ text: String) -> [[Double]] {
    text.split(separator: "\n").compactMap { line in
        let fields = line.split(separator: " ")
        guard !line.hasPrefix("#"), fields.count >= 3, fields.last == "i" else { return nil }
        return fields.prefix(2).compactMap { Double($0) }
    }
}
