import Foundation
import MRF
import Simplex
import Support

/// `pmf bench mrf`: mean-field sweeps and BP iterations per second on Potts grids, in memory and
/// through a model file as `pmf mrf solve` runs it.
///
/// Each grid has coupling 0.5, attractive, and random unaries U(0, 1) (seed 1). Methods: mean-field
/// with parallel and fixed sequential order, BP with parallel and sequential schedules. "memory"
/// times K `step()` calls on the generated model; "file" writes the grid to a temporary `.fg`, reads
/// it back as `LoadedModel` (timed once per grid), solves it with `maxiter=K` and `maxiter=0` at
/// `tol=0`, and builds the `--json` text of the first.
public struct MRFBenchmark: Sendable {
    /// A square grid: its name, side and labels.
    public struct Grid: Sendable {
        public let name: String
        public let side: Int
        public let labels: Int
        /// A grid of side × side variables with `labels` labels each.
        public init(name: String, side: Int, labels: Int) { (self.name, self.side, self.labels) = (name, side, labels) }
    }

    /// The grids `pmf bench mrf` times: 256×256 with 4 labels (the libDAI anchor's) and 100×100 binary.
    public static let standardGrids = [Grid(name: "potts-256x256-k4", side: 256, labels: 4), Grid(name: "binary-100x100", side: 100, labels: 2)]

    /// Iterations K per measurement.
    public var sweeps: Int
    /// The grids.
    public var grids: [Grid]

    /// A benchmark of `sweeps` iterations per measurement on `grids`.
    public init(sweeps: Int = 100, grids: [Grid] = MRFBenchmark.standardGrids) { (self.sweeps, self.grids) = (sweeps, grids) }

    /// Times every method on every grid, grid-major.
    /// - Throws: `MRFError` when the temporary model file cannot be written or read.
    public func run() throws -> [MRFSpeed] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pmf-bench-mrf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var speeds: [MRFSpeed] = []
        for grid in grids {
            let n = grid.side * grid.side
            let model = ModelGenerator.pairwise(
                variables: n, edges: Topology.grid(rows: grid.side, columns: grid.side), potential: .potts, labels: grid.labels,
                coupling: 0.5, field: 1, couplings: .attractive, random: RandomSource(seed: 1))
            let path = folder.appendingPathComponent("\(grid.name).fg").path
            try ModelFile.write(model, to: path)
            let (loaded, loadSeconds) = try timed { () throws(MRFError) in try LoadedModel(file: path) }
            for (algorithm, step) in try Self.steppers(CompiledGraph(model)) {
                let (_, seconds) = timed { for _ in 0 ..< sweeps { step() } }
                let (_, setup) = try timed { () throws(MRFError) in try loaded.solve([algorithm.iterations(0)]) }
                let (outcome, solving) = try timed { () throws(MRFError) in try loaded.solve([algorithm.iterations(sweeps)]) }
                let (_, outputSeconds) = timed { outcome.json }
                speeds.append(MRFSpeed(model: grid.name, algorithm: algorithm, variables: n, sweeps: sweeps, seconds: seconds,
                                       fileSolveSeconds: (solving, setup), loadSeconds: loadSeconds, outputSeconds: outputSeconds))
            }
        }
        return speeds
    }

    /// The timed methods on `graph`, each with its one-iteration step.
    static func steppers(_ graph: CompiledGraph) throws(MRFError) -> [(algorithm: Algorithm, step: () -> Void)] {
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
        return methods
    }
}
