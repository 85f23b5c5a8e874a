import Figures
import Foundation
import Gnuplot
import MRF
import Testing

@Suite("Each figure's data holds the series it promises")
struct FigureDataTests {
    @Test("fig1: the simplex, ũ, its three projections and the softmax path from near the centre to hardmax's vertex")
    func simplex() throws {
        let figure = SimplexFigure(provenance: testProvenance)
        let data = try figure.figure.dataFiles()
        #expect(data.map(\.name) == ["fig1-simplex", "fig1-segment"])
        #expect(data[0].datasets.map(\.name) == ["simplex", "point", "hardmax", "sparsemax", "softmax", "path"])
        #expect(data[0].columns.map(\.name) == ["x", "y"])
        let projections = Dictionary(uniqueKeysWithValues: figure.projections.map { ($0.name, $0.u) })
        #expect(projections["hardmax"] == [0, 0, 1])
        #expect(projections["sparsemax"]?.first == 0)              // on the boundary
        #expect(projections["softmax"]?.allSatisfy { $0 > 0 } == true) // in the interior
        let path = figure.path
        #expect(path.first!.allSatisfy { abs($0 - 1.0 / 3) < 0.05 })
        #expect(path.last!.map { $0.rounded() } == [0, 0, 1])
    }

    @Test("fig2: a loss and an accuracy dataset per (network, method), methods the build lacks skipped with a note")
    func training() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let product = try builder(folder, runner: FakePMF(knows: ["ref", "pmf"], format: .quantized)).build(.fig2Training)
        let data = try #require(product.figures.first).dataFiles()
        #expect(data.map(\.name) == ["fig2-training-loss", "fig2-training-accuracy"])
        #expect(data[0].columns.map(\.name) == ["epoch", "loss"])
        #expect(data[1].columns.map(\.name) == ["epoch", "validation_accuracy"])
        #expect(data[1].datasets.map(\.name) == ["lenet300-ref", "lenet300-pmf", "lenet5-ref", "lenet5-pmf"])
        #expect(product.notes.count == 4)   // bc, pq, picm, pgd
        #expect(product.figures[0].panels.count == 4)
    }

    @Test("fig3: a dataset per ρ; a build without PMF gives one clean note instead")
    func rho() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let product = try builder(folder, runner: FakePMF(knows: ["ref", "pmf"], format: .quantized)).build(.fig3Rho)
        #expect(try product.figures[0].dataFiles()[1].datasets.map(\.name)
                == ["lenet300-rho-1.200", "lenet300-rho-1.150", "lenet300-rho-1.100", "lenet300-rho-1.050", "lenet300-rho-1.020"])
        let without = try builder(folder.appendingPathComponent("main"), runner: FakePMF()).build(.fig3Rho)
        #expect(without.figures.isEmpty)
        #expect(without.notes.count == 1 && without.notes[0].contains("needs a build with quantized training"))
    }

    @Test("table2: mean ± std over seeds per network and method, — for methods not run")
    func table() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let product = try builder(folder, runner: FakePMF()).build(.table2)
        let table = try #require(product.tables.first).table
        #expect(table.header == ["network", "REF", "BC", "PQ", "PICM", "PGD", "PMF"])
        #expect(table.rows[0] == ["LeNet-300", "81.50 ± 0.71", "—", "—", "—", "—", "—"])
        #expect(table.rows.map(\.first) == ["LeNet-300", "LeNet-5"])
        #expect(AccuracyTable.cell([0.9]) == "90.00")
    }

    @Test("finished runs are reused: a second build trains nothing")
    func reuse() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fake = FakePMF()
        _ = try builder(folder, runner: fake).build(.fig2Training)
        let first = fake.trainCalls
        _ = try builder(folder, runner: fake).build(.table2)
        #expect(first == 2 * 2 + 5)   // ref on 2 nets × 2 seeds, then one rejected attempt per other method
        #expect(fake.trainCalls - first == 5)   // ref is reused; only the rejected methods are asked again
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("runs/lenet5-ref-s2/results.json").path))
    }

    @Test("theorems: one panel per evidence file; without pmf check, one note")
    func theorems() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let product = try builder(folder, runner: FakePMF(hasCheck: true)).build(.theorems)
        let figure = try #require(product.figures.first)
        #expect(try figure.dataFiles().map(\.name) == ["theorem-3.1", "proposition-3.1", "softmax-limit"])
        #expect(figure.panels.map(\.series.count) == [1, 2, 2])
        let without = try builder(folder.appendingPathComponent("main"), runner: FakePMF()).build(.theorems)
        #expect(without.figures.isEmpty && without.notes.count == 1 && without.notes[0].contains("no check subcommand"))
    }

    @Test("mrf: per model the seven methods and exact, with free, expected and rounded energy and marginal error")
    func mrf() throws {
        let figure = try MRFFigure(models: MRFFigure.paperModels(side: 4), provenance: testProvenance).figure()
        let data = try figure.dataFiles()
        #expect(data.map(\.name) == ["mrf-potts", "mrf-ising"])
        #expect(data[0].columns.map(\.name) == ["iteration", "free_energy", "expected_energy", "rounded_energy", "max_marginal_error", "beta"])
        #expect(data[0].datasets.map(\.name) == ["mf", "pmf", "pgd", "sparsemax", "picm", "icm", "bp", "exact"])
        #expect(figure.panels.count == 8)
        // The mean-field free energy never goes below −log Z (the bound of the Gibbs inequality).
        let exact = data[0].datasets[7].blocks[0][0][1]
        #expect(try data[0].values(of: "free_energy", inDatasetAt: 0).allSatisfy { $0 >= exact - 1e-9 })
    }
}
