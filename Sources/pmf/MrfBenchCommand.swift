import ArgumentParser
import Foundation
import MRF
import Simplex

/// `pmf bench mrf`: mean-field sweeps and BP iterations per second on Potts grids, in memory and
/// through a model file as `pmf mrf solve` runs it.
struct MrfBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mrf",
        abstract: "Variable updates per second of mean-field sweeps and BP iterations on a 256×256 4-label Potts grid and a 100×100 binary grid, in memory and from a file.",
        discussion: """
        Models: Potts grids with coupling 0.5 and random unaries U(0,1) (seed 1). Parallel schedules split the \
        variables over the cores; sequential ones run on one. "memory" times step() on the generated model; \
        "file" times the path of `pmf mrf solve --model F --json` (LoadedModel): the grid is written to a \
        temporary .fg, read back (load s), solved with maxiter=K and maxiter=0 at tol=0 (per-iteration speed \
        from the difference) and its --json text built (output s). libDAI 0.3 (one thread) does about \
        0.10–0.12 M/s mean-field and 0.22–0.26 M/s BP on the 256×256 grid and reads its .fg in 1.9 s \
        (measured by hand; docs/mrf.md).
        """)

    @Option(help: "Sweeps (iterations) timed per measurement.") var sweeps = 100
    @Flag(help: "Print one JSON object {\"results\": [{\"model\", \"method\", \"variables\", \"sweeps\", \"seconds\", \"mups\", \"fileMups\", \"loadSeconds\", \"outputSeconds\"}]}.")
    var json = false

    /// One method on one grid: `seconds`/`mups` in memory, `fileMups` per iteration through the file
    /// path, `loadSeconds` reading the file (per model), `outputSeconds` building the --json text.
    struct Row: Encodable {
        let model, method: String
        let variables, sweeps: Int
        let seconds, mups, fileMups, loadSeconds, outputSeconds: Double
    }

    /// libDAI's anchor figures in M variable updates/s (middle of the measured ranges).
    static let libdaiMeanField = 0.11, libdaiBP = 0.24

    func run() throws {
        guard sweeps >= 1 else { throw CommandError("--sweeps must be ≥ 1") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pmf-bench-mrf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var rows: [Row] = []
        for (name, side, labels) in [("potts-256x256-k4", 256, 4), ("binary-100x100", 100, 2)] {
            let n = side * side
            let model = ModelGenerator.pairwise(
                variables: n, edges: Topology.grid(rows: side, columns: side), potential: .potts, labels: labels,
                coupling: 0.5, field: 1, couplings: .attractive, random: RandomSource(seed: 1))
            let path = folder.appendingPathComponent("\(name).fg").path
            try ModelFile.write(model, to: path)
            let (loaded, loadSeconds) = try timed { try LoadedModel(file: path) }
            let graph = CompiledGraph(model)
            let objective = ExpectedEnergy(graph)
            var methods: [(algorithm: Algorithm, step: () -> Void)] = []
            for order in [RelaxationSettings.Order.parallel, .fixed] {
                var settings = RelaxationSettings(.mf)
                settings.order = order
                let solver = RelaxationSolver(settings, objective: objective)
                methods.append((.relaxation(settings), { solver.step() }))
            }
            for schedule in [BPSettings.Schedule.parallel, .sequential] {
                var settings = BPSettings()
                settings.schedule = schedule
                let bp = try BeliefPropagation(settings, graph: graph)
                methods.append((.beliefPropagation(settings), { bp.step() }))
            }
            for (algorithm, step) in methods {
                let (_, seconds) = timed { for _ in 0 ..< sweeps { step() } }
                let (_, setup) = try timed { try loaded.solve([algorithm.iterations(0)]) }
                let (outcome, solving) = try timed { try loaded.solve([algorithm.iterations(sweeps)]) }
                let (_, outputSeconds) = timed { outcome.json }
                rows.append(Row(model: name, method: algorithm.description, variables: n, sweeps: sweeps, seconds: seconds,
                                mups: Double(n * sweeps) / seconds / 1e6, fileMups: Double(n * sweeps) / max(solving - setup, 1e-9) / 1e6,
                                loadSeconds: loadSeconds, outputSeconds: outputSeconds))
            }
        }
        if json {
            try printJSON(["results": rows])
            return
        }
        print("                                                   ---------- memory ----------  -------------- file (pmf mrf solve) -------------")
        print("model              method                  sweeps   seconds   M upd/s  × libDAI   M upd/s  × libDAI   memory/file    load s  output s")
        for r in rows {
            let anchor = r.method.hasPrefix("bp") ? Self.libdaiBP : Self.libdaiMeanField
            print(r.model.padding(toLength: 18, withPad: " ", startingAt: 0) + " "
                  + r.method.padding(toLength: 22, withPad: " ", startingAt: 0)
                  + String(format: "  %6d  %8.3f  %8.2f  %8.1f  %8.2f  %8.1f  %12.2f  %8.3f  %8.3f", r.sweeps, r.seconds, r.mups, r.mups / anchor,
                           r.fileMups, r.fileMups / anchor, r.mups / r.fileMups, r.loadSeconds, r.outputSeconds))
        }
    }
}

extension Algorithm {
    /// These settings with `maxiter = count` and `tol = 0` (exactly `count` iterations), for timing.
    fileprivate func iterations(_ count: Int) -> Algorithm {
        switch self {
        case .relaxation(var s):
            (s.maxIterations, s.tolerance) = (count, 0)
            return .relaxation(s)
        case .beliefPropagation(var s):
            (s.maxIterations, s.tolerance) = (count, 0)
            return .beliefPropagation(s)
        case .exact, .treeReweighted: return self
        }
    }
}
