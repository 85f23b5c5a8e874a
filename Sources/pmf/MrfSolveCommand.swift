import ArgumentParser
import Foundation
import Gnuplot
import MRF
import Support

/// `pmf mrf solve`: runs algorithms on a model file.
struct MrfSolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve",
        abstract: "Run algorithms on a model: log Z (exact, mean-field bound or Bethe), marginals, labelling, energy.",
        discussion: """
        SPEC is a name with optional settings: exact, mf, pmf, pgd, sparsemax, md, picm, icm, bp, trw, or e.g. \
        pmf[eta=0.5,beta0=1,rho=1.05,every=10], mf[order=random,damping=0.3], bp[inference=max], \
        exact[maxbytes=16G]. When exact is among the algorithms it runs first and the traces also record \
        marginal and log Z errors. With several algorithms, one that cannot run on the model (exact beyond \
        its memory limit, bp on factors of three or more variables) is reported as skipped and the others \
        still run; a single algorithm that cannot run is an error.
        EVIDENCE is a UAI .evid file (`N v1 x1 …`, or the older form starting with the number of samples, of \
        which the first is used) or an inline list such as 3=1,7=0 (any text made only of digits, '=', ',' \
        and spaces that contains '=' is a list). The model is conditioned on it: log Z is the log of the \
        evidence-restricted sum (UAI PR), marginals are P(x_i | evidence), observed variables are clamped.
        --uai-output DIR writes the UAI 2014 result files DIR/ALGO/MODEL.PR (log10 Z), .MAR and .MPE per \
        algorithm, MODEL being the model's file name (e.g. out/exact/grid.uai.MAR).
        """)

    /// The algorithms run when `--algo` is not given.
    static let defaultAlgorithms = ["exact", "mf", "pmf", "bp"]

    @Option(help: "Model file, .uai (MARKOV or BAYES) or .fg.") var model: String
    @Option(name: .customLong("algo"), help: "Algorithm spec (repeatable; default: exact, mf, pmf, bp).") var algorithms: [String] = []
    @Option(help: "Evidence: a UAI .evid file or a list like 3=1,7=0.") var evidence: String?
    @Option(help: "Directory for per-algorithm traces (gnuplot columns).") var trace: String?
    @Option(name: .customLong("uai-output"), help: "Directory for UAI result files, DIR/ALGO/MODEL.{PR,MAR,MPE}.") var uaiOutput: String?
    @Flag(help: "Print {\"results\": [{\"algo\", \"logZ\", \"marginals\", \"map\", \"energy\", \"iterations\", \"seconds\"}], \"skipped\": [{\"algo\", \"reason\", \"seconds\"}], \"observed\": N}.")
    var json = false

    struct Row: Encodable {
        let algo: String
        let logZ: Double?
        let marginals: [[Double]]
        let map: [Int]
        let energy: Double?
        let iterations: Int
        let seconds: Double
    }

    struct Skipped: Encodable { let algo, reason: String; let seconds: Double }

    func run() throws {
        let problem = try loadProblem(model, evidence: evidence)
        let graph = problem.compiled
        let algorithms = try parseAlgorithms(self.algorithms.isEmpty ? Self.defaultAlgorithms : self.algorithms)
        var skipped: [Skipped] = []
        var seconds = [Double](repeating: 0, count: algorithms.count)
        /// Runs algorithm k, timing it; with several algorithms a failure (other than contradictory evidence) is recorded as skipped.
        func attempt(_ k: Int, _ body: () throws(MRFError) -> SolverResult) throws -> SolverResult? {
            let clock = ContinuousClock(), start = clock.now
            defer { seconds[k] = secondsSince(start, clock) }
            do {
                return try body()
            } catch {
                let explained = problem.conditioned.explain(error)
                if algorithms.count == 1 || problem.isFatal(explained) { throw explained }
                skipped.append(Skipped(algo: algorithms[k].description, reason: explained.description, seconds: secondsSince(start, clock)))
                return nil
            }
        }
        // Exact first, so that the others can be measured against it; output keeps the given order.
        var reference: ExactResult?
        var results = [SolverResult?](repeating: nil, count: algorithms.count)
        var done = [Bool](repeating: false, count: algorithms.count)
        for (k, algorithm) in algorithms.enumerated() {
            if case .exact(let settings) = algorithm, reference == nil {
                done[k] = true
                results[k] = try attempt(k) { () throws(MRFError) in
                    let exact = try settings.solve(graph)
                    reference = exact
                    return SolverResult(exact: exact, algorithm: algorithm.description)
                }
            }
        }
        for (k, algorithm) in algorithms.enumerated() where !done[k] {
            results[k] = try attempt(k) { () throws(MRFError) in try algorithm.run(on: graph, reference: reference, recording: trace == nil ? .final : .everyIteration) }
        }
        let ran = results.indices.filter { results[$0] != nil }
        let finished = ran.map { problem.conditioned.expand(results[$0]!) }
        let times = ran.map { seconds[$0] }
        if let trace { try writeTraces(finished, to: trace) }
        if let uaiOutput {
            let name = (model as NSString).lastPathComponent
            for result in finished {
                let folder = URL(fileURLWithPath: uaiOutput).appendingPathComponent(fileSafe(result.algorithm))
                do {
                    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                } catch {
                    throw CommandError("cannot create the UAI output directory \(folder.path); check the path and permissions")
                }
                for (task, text) in UAIOutput.texts(for: result) {
                    try writeAtomically(text, to: folder.appendingPathComponent("\(name).\(task.rawValue)"))
                }
            }
        }
        if json {
            struct Output: Encodable { let results: [Row]; let skipped: [Skipped]; let observed: Int }
            try printJSON(Output(results: zip(finished, times).map {
                Row(algo: $0.algorithm, logZ: jsonNumber($0.logZ), marginals: $0.marginals, map: $0.labels,
                    energy: jsonNumber($0.energy), iterations: $0.iterations, seconds: $1)
            }, skipped: skipped, observed: problem.conditioned.evidence.observations.count))
            return
        }
        print(problem.summary)
        print("algorithm".padding(toLength: 44, withPad: " ", startingAt: 0) + "      log Z        energy  iterations   seconds")
        for (r, t) in zip(finished, times) {
            print(r.algorithm.padding(toLength: 44, withPad: " ", startingAt: 0)
                  + String(format: " %12.6f  %12.6f  %10d  %8.3f", r.logZ, r.energy, r.iterations, t))
        }
        for s in skipped { print("\(s.algo): skipped after \(String(format: "%.3f", s.seconds)) s — \(s.reason)") }
    }

    /// One `.dat` file per iterative algorithm, written through a temporary file and a rename.
    private func writeTraces(_ results: [SolverResult], to directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CommandError("cannot create the trace directory \(directory); check the path and permissions")
        }
        for (k, result) in results.enumerated() where !result.trace.points.isEmpty {
            try writeAtomically(result.trace.gnuplotText, to: URL(fileURLWithPath: "\(directory)/\(k)-\(fileSafe(result.algorithm)).dat"))
        }
    }
}

/// An algorithm's spec as a file name: letters, digits, `.` and `-` kept, everything else `_`.
func fileSafe(_ text: String) -> String {
    String(text.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" })
}
