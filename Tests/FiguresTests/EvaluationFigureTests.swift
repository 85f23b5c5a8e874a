import Figures
import Foundation
import Gnuplot
import MRF
import Simplex
import Testing

@Suite("pmf mrf evaluate's table, data file and figure")
struct EvaluationFigureTests {
    /// Two small grids with exact answers beside them, evaluated with exact, mf and bp.
    func report(in folder: URL) throws -> EvaluationReport {
        for (name, seed) in [("a.uai", 1), ("b.uai", 2)] {
            let graph = ModelGenerator.pairwise(variables: 9, edges: Topology.grid(rows: 3, columns: 3), potential: .ising, labels: 2,
                                                coupling: 1, field: 0.5, couplings: .mixed, random: RandomSource(seed: UInt(seed)))
            let path = folder.appendingPathComponent(name).path
            try ModelFile.write(graph, to: path)
            // The answers of the model as read back, as `pmf mrf solve --algo exact --uai-output` writes them.
            let written = CompiledGraph(try ModelFile.read(path))
            try UAIOutput.write(try Algorithm(parsing: "exact").run(on: written), modelName: name, to: folder.path)
        }
        return try Evaluation(algorithms: try ["exact", "mf", "bp"].map(Algorithm.init(parsing:))).run(folder: folder.path)
    }

    @Test("a dataset per algorithm, zero errors missing, each algorithm one colour in every panel; the figure renders")
    func outputs() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outputs = EvaluationFigure(report: try report(in: folder), provenance: testProvenance)
        let table = outputs.table()
        #expect(table.rows.map { "\($0[0]) \($0[1])" } == ["a.uai exact", "a.uai mf", "a.uai bp", "b.uai exact", "b.uai mf", "b.uai bp"])
        #expect(table.rows[0][3] == "0.000e+00")
        let data = outputs.dataFile()
        #expect(data.datasets.map(\.name) == ["1-exact", "2-mf", "3-bp"])
        #expect(data.datasets[1].blocks[0].map { $0[0] } == [1, 2])
        // exact's marginals are read back bit for bit: error 0, written as missing for the log axis.
        let mean = try #require(data.columnNumber(named: "mean_marginal_error")) - 1
        #expect(data.datasets[0].blocks[0].allSatisfy { $0[mean].isNaN })
        let figure = try #require(outputs.figure())
        let marginal = try #require(figure.panels.first)
        #expect(marginal.series.map(\.title) == ["mf", "bp"] && marginal.series.map(\.lineType) == [2, 3])
        guard let gnuplot = gnuplotForTest() else { return }
        let outcomes = try figure.export(to: folder, terminals: [.pngcairo], program: gnuplot)
        #expect(outcomes == [.rendered(script: folder.appendingPathComponent("evaluate.png.gp"))])
    }
}
