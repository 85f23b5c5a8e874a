import Figures
import Foundation
import Gnuplot
import MRF
import Quantization
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
        let product = try builder(folder, backend: FakeTraining()).build(.fig2Training)
        let figure = try #require(product.figures.first)
        let data = try figure.dataFiles()
        #expect(data.map(\.name) == ["fig2-training-loss", "fig2-training-accuracy"])
        #expect(data[0].columns.map(\.name) == ["epoch", "loss", "loss_std"])
        #expect(data[1].columns.map(\.name) == ["epoch", "validation_accuracy", "validation_accuracy_std"])
        #expect(data[1].datasets.map(\.name) == ["lenet300", "lenet5"].flatMap { net in TrainingSchedule.paperMethods.map { "\(net)-\($0)" } })
        // The fake's seeds 1 and 2 scale the accuracy's rise by 1 and ½: mean and sample deviation of the two.
        let (a, b) = (syntheticTrace(scale: 1)[2].validationAccuracy!, syntheticTrace(scale: 0.5)[2].validationAccuracy!)
        let row = data[1].datasets[0].blocks[0][2]
        #expect(abs(row[1] - 100 * (a + b) / 2) < 1e-9 && abs(row[2] - 100 * abs(a - b) / 2.0.squareRoot()) < 1e-9)
        #expect(figure.panels.count == 4 && figure.panels.allSatisfy { $0.series.allSatisfy { if case .errorlines = $0.style { true } else { false } } })
        #expect(figure.title?.contains("Fashion-MNIST (standing in for MNIST)") == true)
    }

    @Test("fig3: a dataset per ρ, the preset's own ρ shared with the table's PMF run, the others with the preset's schedule")
    func rho() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fake = FakeTraining()
        let build = builder(folder, backend: fake)
        let product = try build.build(.fig3Rho)
        #expect(try product.figures[0].dataFiles()[1].datasets.map(\.name)
                == ["lenet300-rho-1.200", "lenet300-rho-1.150", "lenet300-rho-1.100", "lenet300-rho-1.050", "lenet300-rho-1.020"])
        // 500 images, 1 epoch: 5 iterations of the paper's 20 000, so β ← ρβ every 100 · 5/20 000 → 1 iteration.
        #expect(fake.calls.map(\.spec.method.description) == [1.2, 1.15, 1.1, 1.05, 1.02].map { "pmf[rho=\($0),every=1,cap=10000,jacobian=reference,init=independent]" })
        let first = try #require(fake.calls.first?.spec)
        #expect(first.schedule == .step(every: 2, factor: 0.2) && first.limit == 500 && first.dataset == .fashionMNIST && first.lr == 1e-3)
        #expect(try build.requests(for: [.fig3Rho, .table2]).filter { $0.method == "pmf" && $0.levels == nil && $0.net.arch == "lenet300" }.count == 2)
    }

    @Test("ablation: a row per switched choice, each training only the methods it concerns; the presets' row shares Table 2's runs")
    func ablation() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fake = FakeTraining()
        let build = builder(folder, backend: fake)
        try build.train(for: [.table2]) { _ in }
        let tableRuns = fake.calls.count
        let named = try #require(try build.build(.ablation).tables.first)
        let calls = fake.calls.dropFirst(tableRuns).map(\.spec)
        // 2 seeds: PMF × 2 pullbacks, PICM/PGD/PMF tied, PQ stepped, six methods re-estimated.
        #expect(calls.count == 2 * (2 + 3 + 1 + 6))
        #expect(calls.filter { $0.method.jacobian == .oneSoftmax && $0.method.kind == .pmf }.count == 2 && calls.filter { $0.method.jacobian == .exact && $0.method.kind == .pmf }.count == 2)
        #expect(calls.filter { $0.method.description.contains("init=tied") }.map(\.method.kind.rawValue).sorted() == ["pgd", "pgd", "picm", "picm", "pmf", "pmf"])
        let stepped = calls.filter { $0.schedule != .constant && $0.method.kind == .pq }
        #expect(stepped.count == 2 && stepped.allSatisfy { $0.schedule == .step(every: 2, factor: 0.2) })
        #expect(calls.filter { $0.bn == .reestimate(batches: 20) }.count == 12)
        #expect(fake.calls.prefix(tableRuns).allSatisfy { $0.spec.bn == .running })
        #expect(named.table.rows.count == 6)
        #expect(named.table.rows[0].dropFirst().allSatisfy { $0 != "—" })
        #expect(named.table.rows[1].dropFirst().filter { $0 != "—" }.count == 1 && named.table.rows[3].dropFirst().filter { $0 != "—" }.count == 3)
        #expect(!PaperFigure.defaultSet.contains(.ablation))
    }

    @Test("the schedule's dataset reaches every run's settings, folder and caption; each network trains its own seeds")
    func dataset() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var schedule = tinySchedule.on(.mnist)
        schedule.nets[1].seeds = [7]
        let fake = FakeTraining()
        let build = builder(folder, backend: fake, schedule: schedule)
        let requests = try build.requests(for: [.table2])
        #expect(requests.filter { $0.net.arch == "lenet5" }.map(\.seed) == Array(repeating: 7, count: 6))
        #expect(requests.filter { $0.net.arch == "lenet300" && $0.levels == nil }.map(\.seed).sorted() == Array(repeating: [1, 2], count: 6).flatMap { $0 }.sorted())
        let named = try #require(try build.build(.table2).tables.first)
        #expect(fake.calls.allSatisfy { $0.spec.dataset == .mnist && $0.folder.path.contains("/runs/mnist/") })
        #expect(named.caption.contains("MNIST, supp. Table 4 settings") && !named.caption.contains("Fashion"))
        #expect(named.table.rows.map(\.first!).contains("LeNet-5, 1 epoch of 500 images (5 iterations), n = 1"))
    }

    @Test("table2: mean ± std over seeds per network and method beside the paper's row, the 2-bit row, the comparison in words")
    func table() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let named = try #require(try builder(folder, backend: FakeTraining()).build(.table2).tables.first)
        let table = named.table
        #expect(table.header == ["network", "REF", "BC", "PQ", "PICM", "PGD", "PMF"])
        // The fake gives 0.8 + 0.01·seed + 0.001·(method's column): seeds 1, 2 → mean 81.5 + 0.1·column, std 0.71.
        #expect(table.rows[0] == ["LeNet-300, 1 epoch of 500 images (5 iterations), n = 2"] + (0 ..< 6).map { String(format: "%.2f ± 0.71", 81.5 + 0.1 * Double($0)) })
        #expect(table.rows[1] == ["LeNet-300, paper (MNIST)", "98.55", "98.05", "98.13", "98.18", "98.21", "98.24"])
        #expect(table.rows.map(\.first!).last == "LeNet-300, 2-bit PMF (levels k4), 1 epoch of 500 images (5 iterations), n = 2")
        #expect(table.rows.last!.dropFirst().filter { $0 != "—" } == ["82.00 ± 0.71"])
        #expect(named.caption.contains("Fashion-MNIST (standing in for MNIST)"))
        let text = try named.markdown()
        #expect(text.contains("PMF is the best quantized method (paper: yes): reproduces"))
        #expect(text.contains("PGD within 1 point of PMF: reproduces (PGD − PMF = -0.10)"))
        #expect(AccuracyTable.cell([0.9]) == "90.00")
        var smoke = tinySchedule
        smoke.isSmokeRun = true
        let quick = try #require(try builder(folder, backend: FakeTraining(), schedule: smoke).build(.table2).tables.first)
        #expect(try quick.markdown().contains("SMOKE RUN") && quick.latex().contains("SMOKE RUN"))
        #expect(!(try quick.markdown().contains("reproduces")))
    }

    @Test("a finished job trains nothing the second time; progress counts every run")
    func reuse() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fake = FakeTraining()
        var reports: [JobProgress] = []
        try builder(folder, backend: fake).train(for: PaperFigure.defaultSet) { reports.append($0) }
        // 2 nets × 6 methods × 2 seeds, the 2-bit row × 2 seeds, 4 more ρ values.
        #expect(fake.calls.count == 24 + 2 + 4 && fake.calls.allSatisfy { !$0.resume })
        #expect(reports.last!.done == 30 && reports.last!.total == 30 && reports.last!.training.isEmpty)
        let firstDone = try #require(reports.firstIndex { $0.done == 1 })
        #expect(reports[..<firstDone].allSatisfy { $0.done == 0 && $0.remaining == nil } && reports[firstDone].remaining != nil)
        #expect(reports.allSatisfy { $0.training.count <= 1 } && reports.contains { $0.training.count == 1 })
        // The longest runs first: LeNet-5's before LeNet-300's.
        let arches = fake.calls.map(\.spec.arch)
        #expect(arches == arches.filter { $0 == .lenet5 } + arches.filter { $0 == .lenet300 })
        let again = FakeTraining()
        // The MRF sweeps train nothing; the coupling sweep is tested on smaller grids below.
        for figure in PaperFigure.defaultSet where figure != .theorems && figure != .mrfCoupling { _ = try builder(folder, backend: again).build(figure) }
        try builder(folder, backend: again).train(for: PaperFigure.defaultSet) { reports.append($0) }
        #expect(again.calls.isEmpty)
        #expect(reports.last!.done == 30)
        // A changed schedule is a different request: it retrains.
        var longer = tinySchedule
        longer.nets[1].epochs = 2
        try builder(folder, backend: again).train(for: [.table2]) { _ in }
        #expect(again.calls.isEmpty)
        try builder(folder, backend: again, schedule: longer).train(for: [.table2]) { _ in }
        #expect(again.calls.count == 12 && again.calls.allSatisfy { $0.spec.epochs == 2 && $0.spec.arch == .lenet5 })
        // A folder whose results.json is not a complete report is not finished.
        let broken = folder.appendingPathComponent("runs/fashion-mnist/lenet300-ref-s1/results.json")
        try Data(#"{"epochs": 1, "test_accuracy": 0.8}"#.utf8).write(to: broken)
        try builder(folder, backend: again, schedule: longer).train(for: [.table2]) { _ in }
        #expect(again.calls.count == 13 && again.calls.last!.folder.lastPathComponent == "lenet300-ref-s1")
    }

    @Test("an interrupted run resumes from its checkpoint")
    func resume() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fake = FakeTraining(interruptFirst: true)
        #expect(throws: FigureError.self) { try builder(folder, backend: fake).train(for: [.table2]) { _ in } }
        #expect(fake.calls.count == 1)
        try builder(folder, backend: fake).train(for: [.table2]) { _ in }
        let calls = fake.calls
        let interrupted = calls[0].folder
        #expect(!calls[0].resume)
        #expect(calls[1] == FakeTraining.Call(spec: calls[0].spec, folder: interrupted, resume: true))
        #expect(calls.dropFirst(2).allSatisfy { !$0.resume })
        #expect(calls.count == 1 + 26)   // the interrupted call, then the 26 runs of Table 2 (one of them resumed)
        #expect(FileManager.default.fileExists(atPath: interrupted.appendingPathComponent("results.json").path))
    }

    @Test("runs train concurrency at a time; after a failure no new run starts")
    func concurrent() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fake = FakeTraining(concurrency: 2)
        var reports: [JobProgress] = []
        try builder(folder, backend: fake).train(for: [.table2]) { reports.append($0) }
        #expect(fake.maxInFlight == 2 && fake.calls.count == 26 && Set(fake.calls.map(\.folder)).count == 26)
        #expect(reports.contains { $0.training.count == 2 } && reports.allSatisfy { $0.training.count <= 2 })
        #expect(reports.last!.done == 26 && reports.last!.training.isEmpty)
        let failing = FakeTraining(interruptFirst: true, concurrency: 2)
        let other = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: other) }
        #expect(throws: FigureError.self) { try builder(other, backend: failing).train(for: [.table2]) { _ in } }
        #expect(failing.calls.count <= 3)   // the failed run, the one beside it, and at most one started before the failure was seen
    }

    @Test("theorems: one panel per evidence file the checks write, all checks passing")
    func theorems() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let product = try builder(folder, backend: FakeTraining()).build(.theorems)
        let figure = try #require(product.figures.first)
        #expect(try figure.dataFiles().map(\.name) == ["theorem-3.1", "proposition-3.1", "softmax-limit"])
        #expect(figure.panels.count == 3 && figure.panels.allSatisfy { !$0.series.isEmpty })
        #expect(product.notes.isEmpty)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("check/theorem-3.1.dat").path))
    }

    @Test("mrf: per model the seven methods and exact, with free, expected and rounded energy and marginal error")
    func mrf() throws {
        let figure = try MRFFigure(models: MRFFigure.paperModels(side: 4), provenance: testProvenance).figure()
        let data = try figure.dataFiles()
        #expect(data.map(\.name) == ["mrf-potts", "mrf-ising"])
        #expect(data[0].columns.map(\.name) == ["iteration", "free_energy", "expected_energy", "rounded_energy", "max_marginal_error", "beta"])
        #expect(data[0].datasets.map(\.name) == ["mf", "pmf", "softmax-pgd", "sparsemax-pgd", "picm", "icm", "bp", "exact"])
        #expect(figure.panels.count == 8)
        // The mean-field free energy never goes below −log Z (the bound of the Gibbs inequality).
        let exact = data[0].datasets[7].blocks[0][0][1]
        #expect(try data[0].values(of: "free_energy", inDatasetAt: 0).allSatisfy { $0 >= exact - 1e-9 })
    }

    /// A 4×4 sweep over J = 0, 0.25, …, 2 (fast in a debug build).
    static let smallCoupling = CouplingFigure(side: 4, strengths: (0 ... 8).map { Double($0) / 4 }, provenance: testProvenance)

    @Test("mrf-coupling: mean-field ≤ exact log Z ≤ TRW at every J on both grids, all four equal at J = 0")
    func couplingSandwich() throws {
        let figure = Self.smallCoupling
        for grid in figure.grids {
            let points = try figure.sweep(grid)
            #expect(points.map(\.strength) == figure.strengths)
            // TRW's bound holds at its fixed points; on these grids it reaches one at every J.
            #expect(points.allSatisfy { $0.trwConverged }, "\(grid.name): TRW stopped at its cap")
            for p in points {
                #expect(p.meanField <= p.exact + 1e-12, "\(grid.name) J = \(p.strength): mean-field \(p.meanField) above exact \(p.exact)")
                #expect(p.exact <= p.treeReweighted + 1e-12, "\(grid.name) J = \(p.strength): TRW \(p.treeReweighted) below exact \(p.exact)")
            }
            let free = try #require(points.first)
            #expect([free.meanField, free.bethe, free.treeReweighted].allSatisfy { abs($0 - free.exact) < 1e-12 })
            #expect(points.dropFirst().contains { $0.treeReweighted - $0.exact > 1e-3 && $0.exact - $0.meanField > 1e-3 })
        }
    }

    @Test("mrf-coupling: every J scales one draw of the couplings, and exact log Z matches enumeration of a 3×3 grid")
    func couplingModels() throws {
        let figure = CouplingFigure(side: 3, strengths: [1.5], provenance: testProvenance)
        for grid in figure.grids {
            let unit = figure.model(grid, strength: 1), scaled = figure.model(grid, strength: 1.5)
            for (a, b) in zip(unit.factors, scaled.factors) {
                let factor = a.scope.count == 2 ? 1.5 : 1   // couplings scale with J, fields do not
                #expect(zip(a.energies, b.energies).allSatisfy { abs(factor * $0 - $1) < 1e-12 })
            }
            // log Σ_x exp(−E(x)) over all 2⁹ labellings, bit i of x the label of variable i.
            let energies = (0 ..< 512).map { x in scaled.energy(of: (0 ..< 9).map { (x >> $0) & 1 }) }
            let low = try #require(energies.min())
            let logZ = -low + Foundation.log(energies.reduce(0) { $0 + Foundation.exp(low - $1) })
            let point = try #require(try figure.sweep(grid).first)
            #expect(abs(9 * point.exact - logZ) < 1e-10, "\(grid.name): exact \(9 * point.exact), enumeration \(logZ)")
        }
    }

    @Test("mrf-coupling: a data file per grid with the promised columns, unconverged runs moved to their own dataset")
    func couplingData() throws {
        let figure = Self.smallCoupling
        let product = try figure.product()
        let data = try #require(product.figures.first).dataFiles()
        #expect(data.map(\.name) == ["mrf-coupling-attractive", "mrf-coupling-mixed"])
        #expect(data[0].columns.map(\.name) == CouplingFigure.columns.map(\.name))
        #expect(data[0].datasets[0].name == "sweep" && data[0].datasets[0].blocks[0].count == figure.strengths.count)
        #expect(product.figures[0].panels.count == 6)
        // A point BP did not finish is missing from the lines and present in full in bp-unconverged.
        var point = try figure.sweep(figure.grids[1])[4]
        point.bpConverged = false
        let file = figure.dataFile(figure.grids[1], [point])
        #expect(file.datasets.map(\.name) == ["sweep", "bp-unconverged"])
        let bethe = try #require(file.columnNumber(named: "bethe")) - 1
        #expect(file.datasets[0].blocks[0][0][bethe].isNaN && file.datasets[1].blocks[0][0][bethe] == point.bethe)
    }
}
