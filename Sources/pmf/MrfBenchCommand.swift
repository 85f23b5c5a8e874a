import ArgumentParser
import MRF
import Simplex

/// `pmf bench mrf`: mean-field sweeps and BP iterations per second on Potts grids.
struct MrfBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mrf",
        abstract: "Variable updates per second of mean-field sweeps and BP iterations on a 256×256 4-label Potts grid and a 100×100 binary grid.",
        discussion: """
        Models: Potts grids with coupling 0.5 and random unaries U(0,1) (seed 1). Parallel schedules split the \
        variables over the cores; sequential ones run on one. libDAI 0.3 (one thread) does about 0.10–0.12 M/s \
        mean-field and 0.22–0.26 M/s BP on the 256×256 grid (measured by hand; docs/mrf.md).
        """)

    @Option(help: "Sweeps (iterations) timed per measurement.") var sweeps = 100
    @Flag(help: "Print one JSON object {\"results\": [{\"model\", \"method\", \"variables\", \"sweeps\", \"seconds\", \"mups\"}]}.") var json = false

    struct Row: Encodable { let model, method: String; let variables, sweeps: Int; let seconds, mups: Double }

    /// libDAI's anchor figures in M variable updates/s (middle of the measured ranges).
    static let libdaiMeanField = 0.11, libdaiBP = 0.24

    func run() throws {
        guard sweeps >= 1 else { throw CommandError("--sweeps must be ≥ 1") }
        var rows: [Row] = []
        for (name, side, labels) in [("potts-256x256-k4", 256, 4), ("binary-100x100", 100, 2)] {
            let n = side * side
            let graph = CompiledGraph(ModelGenerator.pairwise(
                variables: n, edges: Topology.grid(rows: side, columns: side), potential: .potts, labels: labels,
                coupling: 0.5, field: 1, couplings: .attractive, random: RandomSource(seed: 1)))
            let objective = ExpectedEnergy(graph)
            for order in [RelaxationSettings.Order.parallel, .fixed] {
                var settings = RelaxationSettings(.mf)
                settings.order = order
                let solver = RelaxationSolver(settings, objective: objective)
                let (_, seconds) = timed { for _ in 0 ..< sweeps { solver.step() } }
                rows.append(Row(model: name, method: settings.description, variables: n, sweeps: sweeps, seconds: seconds,
                                mups: Double(n * sweeps) / seconds / 1e6))
            }
            for schedule in [BPSettings.Schedule.parallel, .sequential] {
                var settings = BPSettings()
                settings.schedule = schedule
                let bp = try BeliefPropagation(settings, graph: graph)
                let (_, seconds) = timed { for _ in 0 ..< sweeps { bp.step() } }
                rows.append(Row(model: name, method: settings.description, variables: n, sweeps: sweeps, seconds: seconds,
                                mups: Double(n * sweeps) / seconds / 1e6))
            }
        }
        if json {
            try printJSON(["results": rows])
            return
        }
        print("model              method                          sweeps   seconds   M updates/s   × libDAI")
        for r in rows {
            let anchor = r.method.hasPrefix("bp") ? Self.libdaiBP : Self.libdaiMeanField
            print(r.model.padding(toLength: 18, withPad: " ", startingAt: 0) + " "
                  + r.method.padding(toLength: 30, withPad: " ", startingAt: 0)
                  + String(format: "  %6d  %8.3f  %12.2f  %9.1f", r.sweeps, r.seconds, r.mups, r.mups / anchor))
        }
    }
}
