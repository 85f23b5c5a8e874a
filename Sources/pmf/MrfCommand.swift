import ArgumentParser
import MRF

/// `pmf mrf`: explicit discrete MRFs — generate, solve, compare against exact inference.
struct Mrf: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explicit MRFs: generate models, run exact inference and MF/PMF/PGD/PICM/ICM/BP/TRW solvers, compare them, evaluate them on a benchmark folder.",
        subcommands: [MrfGenerate.self, MrfSolve.self, MrfCompare.self, MrfEvaluate.self])
}

/// A Double for JSON: non-finite values (an infinite energy, a NaN error) become `null`.
func jsonNumber(_ x: Double) -> Double? { x.isFinite ? x : nil }

/// A model file conditioned on `--evidence`, compiled for the solvers.
struct Problem {
    let conditioned: ConditionedGraph
    let compiled: CompiledGraph
    let file: String

    /// Errors that end the command even with other algorithms left: the evidence (or model) has probability zero.
    func isFatal(_ error: MRFError) -> Bool { error == .zeroPartition || error == conditioned.contradiction }

    /// `model FILE: n variables, e edges, f larger factors` (of the original model), plus the evidence.
    var summary: String {
        let original = conditioned.original
        let (edges, larger): (Int, Int) = conditioned.evidence.isEmpty ? (compiled.edgeCount, compiled.higherOrder.count) : (
            Set(original.factors.filter { $0.scope.count == 2 }.map { [min($0.scope[0], $0.scope[1]), max($0.scope[0], $0.scope[1])] }).count,
            original.factors.filter { $0.scope.count >= 3 }.count)
        var text = "model \(file): \(original.variableCount) variables, \(edges) edges, \(larger) larger factors"
        let observed = conditioned.evidence.observations.count
        if observed > 0 { text += "; evidence \(conditioned.evidence.source): \(observed) observed, \(conditioned.freeVariables.count) free" }
        return text
    }
}

/// Reads a model file and conditions it on `--evidence` (a .evid file or a list like 3=1,7=0).
func loadProblem(_ path: String, evidence: String?) throws -> Problem {
    let graph = try ModelFile.read(path)
    let conditioned = try ConditionedGraph(graph, evidence: try evidence.map(Evidence.read) ?? .none)
    return Problem(conditioned: conditioned, compiled: CompiledGraph(conditioned.reduced), file: path)
}

/// Parses `--algo` values.
func parseAlgorithms(_ specs: [String]) throws -> [Algorithm] {
    try specs.map { text in try Algorithm(parsing: text) }
}

/// Seconds from `start` to now.
func secondsSince(_ start: ContinuousClock.Instant, _ clock: ContinuousClock) -> Double {
    let elapsed = clock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

/// Seconds elapsed while running `body`.
func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let clock = ContinuousClock()
    let start = clock.now
    let value = try body()
    let elapsed = clock.now - start
    return (value, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
}
