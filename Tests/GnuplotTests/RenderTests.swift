import Foundation
import Gnuplot
import Testing

/// Generated scripts through the real gnuplot program.
@Suite struct RenderTests {
    @Test(arguments: Terminal.allCases)
    func everyFigureRendersWithoutWarnings(terminal: Terminal) throws {
        guard let program = gnuplotForTest() else { return }
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for figure in [lossAndAccuracyFigure(), simplexDiagram().figure] {
            let outcomes = try figure.export(to: folder, terminals: [terminal], program: program)
            let script = folder.appendingPathComponent(figure.scriptFileName(for: terminal))
            #expect(outcomes == [.rendered(script: script)])
            let output = try Data(contentsOf: folder.appendingPathComponent(figure.outputFileName(for: terminal)))
            let magic: [UInt8] = switch terminal {
            case .pngcairo: [0x89, 0x50, 0x4E, 0x47]  // \x89PNG
            case .pdfcairo: Array("%PDF".utf8)
            case .svg: Array("<?xm".utf8)
            }
            #expect(output.count > 1000 && Array(output.prefix(4)) == magic, "\(figure.outputFileName(for: terminal))")
        }
    }

    @Test func indexByNameSelectsThatDatasetWithAllItsBlocks() throws {
        guard let program = gnuplotForTest() else { return }
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A command and a column whose header text begins like dataset names, to show header
        // lines cannot be selected instead.
        let data = DataFile(name: "named", columns: [DataColumn("x"), DataColumn("beta")],
                            provenance: Provenance(command: "gamma --seed 1", seed: 1, version: "v"),
                            datasets: [NamedDataset(name: "alpha", rows: [[1, 10], [2, 20]]),
                                       NamedDataset(name: "beta", blocks: [[[1, 30], [2, .nan], [3, 31]], [[4, 32]]]),
                                       NamedDataset(name: "gamma", rows: [[1, 50], [2, 51]])])
        try data.write(in: folder)
        for dataset in data.datasets {
            let table = "\(dataset.name).table"
            let script = folder.appendingPathComponent("\(dataset.name).gp")
            try """
            set datafile missing "NaN"
            set table "\(table)"
            plot "named.dat" index "\(dataset.name)" using 1:2 with lines
            unset table

            """.write(to: script, atomically: true, encoding: .utf8)
            try program.run(scriptAt: script)
            let points = tablePoints(try String(contentsOf: folder.appendingPathComponent(table), encoding: .utf8))
            #expect(points == dataset.blocks.joined().filter { $0[1].isFinite }, "index \"\(dataset.name)\"")
        }
    }

    @Test func warningsAndErrorsAreThrownWithGnuplotsMessage() throws {
        guard let program = gnuplotForTest() else { return }
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        func figure(_ rows: [[Double]]) -> Figure {
            let data = DataFile(name: "bad", columns: [DataColumn("x"), DataColumn("y")], provenance: provenance,
                                datasets: [NamedDataset(name: "only", rows: rows)])
            return Figure(name: "bad", panels: [Panel(series: [Series(data: data, dataset: "only", x: 1, y: 2)])])
        }
        // One point: gnuplot draws it, exits 0, and warns that the x range is empty.
        do {
            _ = try figure([[1, 2]]).export(to: folder, terminals: [.svg], program: program)
            Issue.record("a plot that made gnuplot warn was reported as rendered")
        } catch let GnuplotError.renderingFailed(script, status, message) {
            #expect(script.hasSuffix("bad.svg.gp"))
            #expect(status == 0)
            #expect(message.contains("empty x range"), "\(message)")
        }
        // Only missing values: gnuplot stops with an error and a non-zero status.
        do {
            _ = try figure([[1, .nan], [2, .infinity]]).export(to: folder, terminals: [.svg], program: program)
            Issue.record("a plot of no valid points was reported as rendered")
        } catch let GnuplotError.renderingFailed(_, status, message) {
            #expect(status != 0)
            #expect(message.contains("no valid points"), "\(message)")
        }
    }

    @Test func withoutGnuplotTheScriptIsWrittenWithInstructions() throws {
        #expect(GnuplotProgram.onPath(["PATH": "/nonexistent:/also/missing"]) == nil)
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcomes = try lossAndAccuracyFigure().export(to: folder, terminals: [.pdfcairo], program: nil)
        let script = folder.appendingPathComponent("fig2.pdf.gp")
        #expect(FileManager.default.fileExists(atPath: script.path))
        guard case .notRendered(script, let instructions) = try #require(outcomes.first) else {
            Issue.record("expected notRendered, got \(outcomes)")
            return
        }
        #expect(instructions.hasSuffix("cd \(folder.path) && gnuplot fig2.pdf.gp"))
    }
}
