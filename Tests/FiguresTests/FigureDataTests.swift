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

    @Test("fig2: loss and accuracy datasets per (network, method), mean ± std over the seeds, drawn with error bars")
    func training() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let product = try builder(folder, runner: FakePMF()).build(.fig2Training)
        let figure = try #require(product.figures.first)
        let data = try figure.dataFiles()
        #expect(data.map(\.name) == ["fig2-training-loss", "fig2-training-accuracy"])
        #expect(data[0].columns.map(\.name) == ["epoch", "loss", "loss_std"])
        #expect(data[1].columns.map(\.name) == ["epoch", "validation_accuracy", "validation_accuracy_std"])
        #expect(data[1].datasets.map(\.name) == ["lenet300", "lenet5"].flatMap { net in TrainingSchedule.paperMethods.map { "\(net)-\($0)" } })
        // The fake's seeds 1 and 2 scale the accuracy's rise by 1 and ½: mean and sample deviation of the two.
        let seed1 = TraceFormat.quantized.trace(scale: 1), seed2 = TraceFormat.quantized.trace(scale: 0.5)
        let (a, b) = (try seed1.values(of: "validation_accuracy_quantized", inDatasetAt: 0)[2], try seed2.values(of: "validation_accuracy_quantized", inDatasetAt: 0)[2])
        let row = data[1].datasets[0].blocks[0][2]
        #expect(abs(row[1] - 100 * (a + b) / 2) < 1e-9 && abs(row[2] - 100 * abs(a - b) / 2.0.squareRoot()) < 1e-9)
        #expect(figure.panels.count == 4 && figure.panels.allSatisfy { $0.series.allSatisfy { if case .errorlines = $0.style { true } else { false } } })
        #expect(figure.title?.contains("Fashion-MNIST (standing in for MNIST)") == true)
    }

    @Test("fig3: a dataset per ρ, the preset's own ρ shared with the table's PMF run, the others with the preset's schedule")
    func rho() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fake = FakePMF()
        let build = builder(folder, runner: fake)
        let product = try build.build(.fig3Rho)
        #expect(try product.figures[0].dataFiles()[1].datasets.map(\.name)
                == ["lenet300-rho-1.200", "lenet300-rho-1.150", "lenet300-rho-1.100", "lenet300-rho-1.050", "lenet300-rho-1.020"])
        let methods = fake.trainCalls.map { call in call.firstIndex(of: "--method").map { call[$0 + 1] } ?? "preset" }
        // 500 images, 1 epoch: 5 iterations of the paper's 20 000, so β ← ρβ every 100 · 5/20 000 → 1 iteration.
        #expect(methods == ["preset"] + [1.15, 1.1, 1.05, 1.02].map { "pmf[rho=\($0),every=1,cap=10000,jacobian=reference]" })
        #expect(try build.requests(for: [.fig3Rho, .table2]).filter { $0.method == "pmf" && $0.levels == nil && $0.net.arch == "lenet300" }.count == 2)
    }

    @Test("table2: mean ± std over seeds per network and method beside the paper's row, the 2-bit row, the comparison in words")
    func table() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let named = try #require(try builder(folder, runner: FakePMF()).build(.table2).tables.first)
        let table = named.table
        #expect(table.header == ["network", "REF", "BC", "PQ", "PICM", "PGD", "PMF"])
        // The fake gives 0.8 + 0.01·seed + 0.001·(method's column): seeds 1, 2 → mean 81.5 + 0.1·column, std 0.71.
        #expect(table.rows[0] == ["LeNet-300, 1 epoch of 500 images (5 iterations)"] + (0 ..< 6).map { String(format: "%.2f ± 0.71", 81.5 + 0.1 * Double($0)) })
        #expect(table.rows[1] == ["LeNet-300, paper (MNIST)", "98.55", "98.05", "98.13", "98.18", "98.21", "98.24"])
        #expect(table.rows.map(\.first!).last == "LeNet-300, 2-bit PMF (levels k4), 1 epoch of 500 images (5 iterations)")
        #expect(table.rows.last!.dropFirst().filter { $0 != "—" } == ["82.00 ± 0.71"])
        #expect(named.caption.contains("Fashion-MNIST (standing in for MNIST)"))
        let text = try named.markdown()
        #expect(text.contains("PMF is the best quantized method (paper: yes): reproduces"))
        #expect(text.contains("PGD within 1 point of PMF: reproduces (PGD − PMF = -0.10)"))
        #expect(AccuracyTable.cell([0.9]) == "90.00")
        var smoke = tinySchedule
        smoke.isSmokeRun = true
        let quick = try #require(try builder(folder, runner: FakePMF(), schedule: smoke).build(.table2).tables.first)
        #expect(try quick.markdown().contains("SMOKE RUN") && quick.latex().contains("SMOKE RUN"))
        #expect(!(try quick.markdown().contains("reproduces")))
    }

    @Test("a finished job trains nothing the second time; progress counts every run")
    func reuse() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fake = FakePMF()
        var reports: [JobProgress] = []
        try builder(folder, runner: fake).train(for: PaperFigure.allCases) { reports.append($0) }
        // 2 nets × 6 methods × 2 seeds, the 2-bit row × 2 seeds, 4 more ρ values.
        #expect(fake.trainCalls.count == 24 + 2 + 4)
        #expect(reports.last!.done == 30 && reports.last!.total == 30 && reports.last!.current == nil)
        #expect(reports.first!.done == 0 && reports.first!.remaining == nil && reports[1].remaining != nil)
        let again = FakePMF()
        for figure in PaperFigure.allCases where figure != .theorems { _ = try builder(folder, runner: again).build(figure) }
        try builder(folder, runner: again).train(for: PaperFigure.allCases) { reports.append($0) }
        #expect(again.trainCalls.isEmpty)
        #expect(reports.last!.done == 30)
        // A changed schedule is a different request: it retrains.
        var longer = tinySchedule
        longer.nets[1].epochs = 2
        try builder(folder, runner: again).train(for: [.table2]) { _ in }
        #expect(again.trainCalls.isEmpty)
        try builder(folder, runner: again, schedule: longer).train(for: [.table2]) { _ in }
        #expect(again.trainCalls.count == 12)
    }

    @Test("an interrupted run resumes from its checkpoint")
    func resume() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fake = FakePMF(interruptFirst: true)
        #expect(throws: FigureError.self) { try builder(folder, runner: fake).train(for: [.table2]) { _ in } }
        try builder(folder, runner: fake).train(for: [.table2]) { _ in }
        let calls = fake.trainCalls
        #expect(calls[1] == ["train", "--resume", folder.appendingPathComponent("runs/lenet300-ref-s1").path,
                             "--checkpoint-every", "2500"])
        #expect(calls.count == 1 + 26)   // the interrupted call, then the 26 runs of Table 2 (one of them resumed)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("runs/lenet300-ref-s1/results.json").path))
    }

    @Test("theorems: one panel per evidence file; a failing pmf check gives a note")
    func theorems() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let product = try builder(folder, runner: FakePMF(hasCheck: true)).build(.theorems)
        let figure = try #require(product.figures.first)
        #expect(try figure.dataFiles().map(\.name) == ["theorem-3.1", "proposition-3.1", "softmax-limit"])
        #expect(figure.panels.map(\.series.count) == [1, 2, 2])
        let without = try builder(folder.appendingPathComponent("main"), runner: FakePMF()).build(.theorems)
        #expect(without.figures.isEmpty && without.notes.contains { $0.contains("exited with status 64") })
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
