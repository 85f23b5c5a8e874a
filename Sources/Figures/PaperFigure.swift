import Foundation
import Gnuplot

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
    /// `pmf check` evidence for Theorem 3.1, Proposition 3.1 and the softmax limit.
    case theorems
    /// MF/PMF/PGD/PICM/ICM/BP on explicit grid MRFs.
    case mrf

    /// What the paper calls it, for the README and the listing.
    public var paperReference: String {
        switch self {
        case .fig1Simplex: "Fig. 1"
        case .fig2Training: "Fig. 2 (on Fashion-MNIST LeNets instead of CIFAR ResNet-18)"
        case .fig3Rho: "supp. Fig. 3"
        case .table2: "Table 2 (Fashion-MNIST rows)"
        case .theorems: "Theorem 3.1, Proposition 3.1, Lemma 2.1's limit (numerical evidence)"
        case .mrf: "Sec. 3 (mean-field view) on explicit MRFs"
        }
    }
}

/// Everything the builders need: where outputs go, how much to train, how to run `pmf`.
public struct FigureContext {
    /// The output folder; training runs go to `out/runs`, check evidence to `out/check`.
    public var out: URL
    /// The training schedule (`--quick` or `--full`).
    public var schedule: TrainingSchedule
    /// Provenance for generated data files (command text without paths, so reruns are identical).
    public var provenance: Provenance
    /// Runs `pmf train` and `pmf check`.
    public var runner: any CommandRunner
    /// Progress lines.
    public var log: (String) -> Void

    /// Creates a context.
    public init(out: URL, schedule: TrainingSchedule, provenance: Provenance, runner: any CommandRunner,
                log: @escaping (String) -> Void = { _ in }) {
        self.out = out
        self.schedule = schedule
        self.provenance = provenance
        self.runner = runner
        self.log = log
    }
}

/// Builds each catalogue entry from its inputs; one function per entry, the figure descriptions
/// themselves live in `SimplexFigure`, `TrainingCurves`, `AccuracyTable`, `EvidencePlot`, `MRFFigure`.
public final class FigureBuilder {
    private let context: FigureContext
    private let store: TrainingRunStore

    /// A builder for `context`.
    public init(context: FigureContext) {
        self.context = context
        self.store = TrainingRunStore(root: context.out.appendingPathComponent("runs", isDirectory: true),
                                      runner: context.runner, log: context.log)
    }

    /// The product of `figure`: its figures and tables plus notes on skipped parts.
    /// - Throws: `FigureError`, `GnuplotError` or `MRFError` with a one-line message.
    public func build(_ figure: PaperFigure) throws -> FigureProduct {
        switch figure {
        case .fig1Simplex:
            return FigureProduct(figures: [SimplexFigure(provenance: context.provenance).figure])
        case .fig2Training:
            let schedule = context.schedule
            let groups = try schedule.nets.map { net in
                TrainingCurves.Group(name: net.arch, title: net.title, curves: try store.runs(net, methods: schedule.methods, seeds: schedule.seeds).map {
                    TrainingCurves.Curve(name: MethodSpecText.plainName($0.method), title: MethodSpecText.title($0.method),
                                         trace: .mean($0.runs.map(\.trace)))
                })
            }
            return product(TrainingCurves(name: "fig2-training", groups: groups, provenance: context.provenance),
                           notes: rejectionNotes(schedule.methods, figure: figure))
        case .fig3Rho:
            let net = context.schedule.rhoNet
            let rhos = context.schedule.rhos
            let methods = rhos.map { "pmf[rho=\($0)]" }
            let rhoOf = Dictionary(zip(methods, rhos), uniquingKeysWith: { first, _ in first })
            // Fixed-width names (rho-1.100, rho-1.150) so no dataset name is a prefix of another.
            let curves = try store.runs(net, methods: methods, seeds: [context.schedule.seeds[0]]).map { runs in
                let rho = rhoOf[runs.method] ?? .nan
                return TrainingCurves.Curve(name: String(format: "rho-%.3f", rho), title: "ρ = \(gnuplotLevel(rho))", trace: runs.runs[0].trace)
            }
            if curves.isEmpty, let reason = store.rejection(of: "pmf") {
                return FigureProduct(notes: ["fig3-rho: needs a build with quantized training (pmf train --method pmf): \(reason)"])
            }
            return product(TrainingCurves(name: "fig3-rho", groups: [TrainingCurves.Group(name: net.arch, title: "\(net.title) PMF", curves: curves)],
                                          provenance: context.provenance), notes: [])
        case .table2:
            let schedule = context.schedule
            let rows = try schedule.nets.map { net in
                (title: net.title, accuracies: Dictionary(uniqueKeysWithValues: try store.runs(net, methods: schedule.methods, seeds: schedule.seeds).map {
                    ($0.method, $0.runs.map(\.result.testAccuracy))
                }))
            }
            return FigureProduct(tables: [.init(name: "table2", table: AccuracyTable.make(methods: schedule.methods, rows: rows))],
                                 notes: rejectionNotes(schedule.methods, figure: figure))
        case .theorems:
            return try theorems()
        case .mrf:
            return FigureProduct(figures: [try MRFFigure(provenance: context.provenance).figure()])
        }
    }

    /// Runs `pmf check --out OUT/check` and draws its evidence; a build without `check` gives a note.
    private func theorems() throws -> FigureProduct {
        let folder = context.out.appendingPathComponent("check", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        context.log("running pmf check --out \(folder.path)")
        let outcome = try context.runner.run(["check", "--out", folder.path])
        let line = outcome.lastErrorLine
        if outcome.status != 0, line.contains("Unknown option") || line.contains("Unexpected argument") {
            return FigureProduct(notes: ["theorems: this pmf build has no check subcommand (\(line)); it arrives with the pmf check branch"])
        }
        var notes = outcome.status == 0 ? [] : ["theorems: pmf check exited with status \(outcome.status) (\(line)); drawing what it wrote"]
        let (figure, missing) = try EvidencePlot.figure(named: "theorems", plots: EvidencePlot.paperChecks, from: folder)
        notes += missing
        return FigureProduct(figures: figure.map { [$0] } ?? [], notes: notes)
    }

    private func product(_ curves: TrainingCurves, notes: [String]) -> FigureProduct {
        let figure = curves.figure
        guard !figure.panels.isEmpty else {
            return FigureProduct(notes: notes + ["\(curves.name): no finished runs to draw"])
        }
        return FigureProduct(figures: [figure], notes: notes)
    }

    private func rejectionNotes(_ methods: [String], figure: PaperFigure) -> [String] {
        methods.compactMap { method in
            store.rejection(of: method).map { "\(figure.rawValue): \(method) skipped, this pmf build cannot train it (\($0))" }
        }
    }
}
