import Foundation
import Gnuplot
import Theorems

/// The figures and tables `pmf figures` regenerates, by the names `--only` takes.
public enum PaperFigure: String, CaseIterable, Sendable {
    /// Fig. 1: the 2-simplex with hardmax, sparsemax and softmax projections.
    case fig1Simplex = "fig1-simplex"
    /// Fig. 2 analogue: training loss and quantized validation accuracy vs epoch per method.
    case fig2Training = "fig2-training"
    /// Supp. Fig. 3 analogue: PMF validation accuracy vs epoch for several ρ.
    case fig3Rho = "fig3-rho"
    /// Table 2 analogue: quantized test accuracy, mean ± std over seeds.
    case table2
    /// The numerical checks' evidence for Theorem 3.1, Proposition 3.1 and the softmax limit.
    case theorems
    /// MF/PMF/PGD/PICM/ICM/BP on explicit grid MRFs.
    case mrf
    /// Mean-field, Bethe and TRW log Z and marginals against coupling strength on Ising grids.
    case mrfCoupling = "mrf-coupling"
    /// LeNet-300 with each choice the presets take from the authors' code switched alone (not in the
    /// default set: `--only ablation`).
    case ablation

    /// What `pmf figures` makes without `--only`: everything but the ablation.
    public static let defaultSet = allCases.filter { $0 != .ablation }

    /// What the paper calls it, for the README and the listing.
    public var paperReference: String {
        switch self {
        case .fig1Simplex: "Fig. 1"
        case .fig2Training: "Fig. 2 (on the MNIST LeNets instead of CIFAR ResNet-18)"
        case .fig3Rho: "supp. Fig. 3"
        case .table2: "Table 2 (MNIST rows)"
        case .theorems: "Theorem 3.1, Proposition 3.1, Lemma 2.1's limit (numerical evidence)"
        case .mrf: "Sec. 3 (mean-field view) on explicit MRFs"
        case .mrfCoupling: "Sec. 3's mean-field bound beside Bethe and TRW, against coupling strength"
        case .ablation: "the presets' choices where the paper is silent, each switched alone (LeNet-300)"
        }
    }
}

/// Everything the builders need: where outputs go, how much to train, how to train.
public struct FigureContext {
    /// The output folder; training runs go to `out/runs`, check evidence to `out/check`.
    public var out: URL
    /// The training schedule (`--quick`, the default paper schedule, or `--full`).
    public var schedule: TrainingSchedule
    /// Provenance for generated data files (command text without paths, so reruns are identical).
    public var provenance: Provenance
    /// Trains the runs.
    public var backend: any TrainingBackend
    /// Progress lines.
    public var log: (String) -> Void

    /// Creates a context.
    public init(out: URL, schedule: TrainingSchedule, provenance: Provenance, backend: any TrainingBackend,
                log: @escaping (String) -> Void = { _ in }) {
        self.out = out
        self.schedule = schedule
        self.provenance = provenance
        self.backend = backend
        self.log = log
    }
}

/// Builds each catalogue entry from its inputs; one function per entry, the figure descriptions
/// themselves live in `SimplexFigure`, `TrainingCurves`, `AccuracyTable`, `EvidencePlot`, `MRFFigure`,
/// `CouplingFigure`.
public final class FigureBuilder {
    private let context: FigureContext
    private let store: TrainingRunStore

    /// A builder for `context`.
    public init(context: FigureContext) {
        self.context = context
        self.store = TrainingRunStore(root: context.out.appendingPathComponent("runs", isDirectory: true),
                                      backend: context.backend, log: context.log)
    }

    /// Every training run `figures` need, each once, in training order.
    /// - Throws: `FigureError` when a method has no preset.
    public func requests(for figures: [PaperFigure]) throws -> [TrainingRequest] {
        let schedule = context.schedule
        var requests: [TrainingRequest] = []
        func add(_ net: TrainingSchedule.Net, _ methods: [String], levels: String? = nil, seeds: [UInt]) {
            for method in methods {
                for seed in seeds {
                    let request = TrainingRequest(dataset: schedule.dataset, net: net, method: method, levels: levels, seed: seed)
                    if !requests.contains(request) { requests.append(request) }
                }
            }
        }
        if figures.contains(.table2) || figures.contains(.fig2Training) {
            for net in schedule.nets { add(net, schedule.methods, seeds: net.seeds) }
        }
        if figures.contains(.table2) {
            for row in schedule.levelRows { add(row.net, [row.method], levels: row.levels, seeds: row.net.seeds) }
        }
        if figures.contains(.fig3Rho) {
            add(schedule.rhoNet, try rhoMethods().map(\.method), seeds: [schedule.rhoNet.seeds[0]])
        }
        if figures.contains(.ablation) {
            for request in try Ablation(net: schedule.rhoNet).requests(dataset: schedule.dataset) where !requests.contains(request) {
                requests.append(request)
            }
        }
        return requests
    }

    /// Trains what `figures` need and is not in the output folder yet, reporting the whole job's progress.
    public func train(for figures: [PaperFigure], progress: (JobProgress) -> Void) throws {
        try store.train(try requests(for: figures), progress: progress)
    }

    /// The ρ study's method specs, one per ρ (the preset's own ρ as plain `pmf`).
    private func rhoMethods() throws -> [(rho: Double, method: String)] {
        try context.schedule.rhos.map { (rho: $0, method: try TrainingRunStore.pmf(on: context.schedule.rhoNet, rho: $0)) }
    }

    /// The product of `figure`: its figures and tables plus notes on skipped parts. Runs that
    /// `train(for:progress:)` has not trained yet are trained here.
    /// - Throws: `FigureError`, `GnuplotError` or `MRFError` with a one-line message.
    public func build(_ figure: PaperFigure) throws -> FigureProduct {
        let schedule = context.schedule
        switch figure {
        case .fig1Simplex:
            return FigureProduct(figures: [SimplexFigure(provenance: context.provenance).figure])
        case .fig2Training:
            let groups = try schedule.nets.map { net in
                TrainingCurves.Group(name: net.arch, title: "\(net.title), \(net.epochs) epochs, mean ± std over seeds \(net.seedList)",
                                     curves: try store.runs(schedule.dataset, net, methods: schedule.methods).map {
                    TrainingCurves.Curve(name: MethodSpecText.plainName($0.method), title: MethodSpecText.title($0.method),
                                         trace: .mean($0.runs.map(\.trace)))
                })
            }
            let title = "Fig. 2 analogue: training loss and quantized validation accuracy\n\(schedule.dataNote)"
            return product(TrainingCurves(name: "fig2-training", title: title, groups: groups, provenance: context.provenance))
        case .fig3Rho:
            let net = schedule.rhoNet
            // Fixed-width names (rho-1.100, rho-1.150) so no dataset name is a prefix of another.
            let curves = try rhoMethods().map { entry in
                TrainingCurves.Curve(name: String(format: "rho-%.3f", entry.rho), title: "ρ = \(gnuplotLevel(entry.rho))",
                                     trace: try store.run(TrainingRequest(dataset: schedule.dataset, net: net, method: entry.method, seed: net.seeds[0])).trace)
            }
            let title = "supp. Fig. 3 analogue: PMF for several ρ, seed \(net.seeds[0])\n\(schedule.dataNote)"
            return product(TrainingCurves(name: "fig3-rho", title: title, groups: [TrainingCurves.Group(name: net.arch, title: "\(net.title) PMF", curves: curves)],
                                          provenance: context.provenance))
        case .table2:
            return FigureProduct(tables: [try table2()])
        case .theorems:
            return try theorems()
        case .mrf:
            return FigureProduct(figures: [try MRFFigure(provenance: context.provenance).figure()])
        case .mrfCoupling:
            return try CouplingFigure(provenance: context.provenance).product()
        case .ablation:
            return FigureProduct(tables: [try ablation()])
        }
    }

    /// The ablation table: a row per switched choice, a column per method, `—` where the choice does
    /// not concern the method.
    private func ablation() throws -> FigureProduct.NamedTable {
        let schedule = context.schedule, ablation = try Ablation(net: schedule.rhoNet)
        let rows = try ablation.rows.map { row in
            var accuracies: [String: [Double]] = [:]
            for request in ablation.requests(row, dataset: schedule.dataset) {
                accuracies[MethodSpecText.baseName(request.method), default: []].append(try store.run(request).report.testAccuracy)
            }
            return (title: row.title, accuracies: accuracies)
        }
        let caption = "Ablation: test accuracy (%) of the quantized network, \(ablation.net.title), \(ablation.net.summary), "
            + "mean ± std over seeds \(ablation.net.seedList), each row one choice switched from the presets; \(schedule.dataNote)."
        return .init(name: "ablation", table: AccuracyTable.make(methods: TrainingSchedule.paperMethods, rows: rows), caption: caption,
                     notes: schedule.isSmokeRun ? ["This is a smoke run: the numbers say the pipeline works, not how the choices compare."] : [])
    }

    /// Table 2: a row per network (and per extra level set) beside the paper's MNIST row, then
    /// the comparison of orderings in words.
    private func table2() throws -> FigureProduct.NamedTable {
        let schedule = context.schedule
        var rows: [(title: String, accuracies: [String: [Double]])] = []
        var notes: [String] = []
        for net in schedule.nets {
            let accuracies = Dictionary(uniqueKeysWithValues: try store.runs(schedule.dataset, net, methods: schedule.methods).map {
                ($0.method, $0.runs.map(\.report.testAccuracy))
            })
            let title = "\(net.title), \(net.summary), n = \(net.seeds.count)"
            rows.append((title: title, accuracies: accuracies))
            if let paper = PaperTable2.mnist[net.arch] {
                rows.append((title: "\(net.title), paper (MNIST)", accuracies: paper.mapValues { [$0 / 100] }))
                if !schedule.isSmokeRun {
                    let means = accuracies.mapValues { 100 * $0.reduce(0, +) / Double($0.count) }
                    notes += PaperTable2.comparison(title: net.title, arch: net.arch, measured: means)
                }
            }
        }
        for row in schedule.levelRows {
            let runs = try store.runs(schedule.dataset, row.net, methods: [row.method], levels: row.levels)
            rows.append((title: "\(row.title) (levels \(row.levels)), \(row.net.summary), n = \(row.net.seeds.count)",
                         accuracies: [row.method: runs[0].runs.map(\.report.testAccuracy)]))
        }
        let caption = "Table 2 analogue: test accuracy (%) of the quantized network kept at its best validation accuracy, "
            + "mean ± std over the n seeds of each row (seeds 1 … n); \(schedule.dataNote)."
        return .init(name: "table2", table: AccuracyTable.make(methods: schedule.methods, rows: rows), caption: caption,
                     notes: schedule.isSmokeRun ? ["This is a smoke run: the numbers say the pipeline works, not how the methods compare."] : notes)
    }

    /// Runs the checks whose evidence `EvidencePlot.paperChecks` draws (with `pmf check`'s trials
    /// and seed), writes the evidence to `OUT/check` and draws it; a failed check is a note.
    private func theorems() throws -> FigureProduct {
        let folder = context.out.appendingPathComponent("check", isDirectory: true)
        context.log("checking the paper's statements; evidence in \(folder.path)")
        let checks = allChecks().filter { check in EvidencePlot.paperChecks.contains { $0.file == check.name } }
        let outcomes = try runChecks(checks, trials: defaultCheckTrials, seed: defaultCheckSeed, evidenceFolder: folder)
        var notes = outcomes.filter { !$0.passed }.map {
            "theorems: check \($0.name) failed (max deviation \($0.maxDeviation), tolerance \($0.tolerance)); drawing its evidence"
        }
        let (figure, missing) = try EvidencePlot.figure(named: "theorems", plots: EvidencePlot.paperChecks, from: folder)
        notes += missing
        return FigureProduct(figures: figure.map { [$0] } ?? [], notes: notes)
    }

    private func product(_ curves: TrainingCurves) -> FigureProduct {
        let figure = curves.figure
        guard !figure.panels.isEmpty else { return FigureProduct(notes: ["\(curves.name): no finished runs to draw"]) }
        return FigureProduct(figures: [figure])
    }
}
