import ArgumentParser
import MRF
import Support

/// `pmf mrf`: explicit discrete MRFs — generate, solve, compare against exact inference.
struct Mrf: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explicit MRFs: generate models, run exact inference and MF/PMF/PGD/PICM/ICM/BP/TRW solvers, compare them, evaluate them on a benchmark folder.",
        subcommands: [MrfGenerate.self, MrfSolve.self, MrfCompare.self, MrfEvaluate.self])
}

/// A Double for JSON: non-finite values (an infinite energy, a NaN error) become `null`.
func jsonNumber(_ x: Double) -> Double? { x.isFinite ? x : nil }

/// Parses `--algo` values.
func parseAlgorithms(_ specs: [String]) throws -> [Algorithm] {
    try specs.map { text in try Algorithm(parsing: text) }
}
