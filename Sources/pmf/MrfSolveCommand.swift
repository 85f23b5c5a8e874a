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


    @Option(help: "Model file, .uai (MARKOV or BAYES) or .fg.") var model: String
    @Option(name: .customLong("algo"), help: "Algorithm spec (repeatable; default: \(Algorithm.solveDefaults.map(\.description).joined(separator: ", "))).") var algorithms: [String] = []
    @Option(help: "Evidence: a UAI .evid file or a list like 3=1,7=0.") var evidence: String?
    @Option(help: "Directory for per-algorithm traces (gnuplot columns), one row per iteration; without it only the final state is evaluated, which keeps iterations as fast as pmf bench mrf.") var trace: String?
    @Option(name: .customLong("uai-output"), help: "Directory for UAI result files, DIR/ALGO/MODEL.{PR,MAR,MPE}.") var uaiOutput: String?
    @Flag(help: "Print {\"results\": [{\"algo\", \"logZ\", \"marginals\", \"map\", \"energy\", \"iterations\", \"seconds\"}], \"skipped\": [{\"algo\", \"reason\", \"seconds\"}], \"observed\": N}.")
    var json = false

    func run() throws {
        let problem = try LoadedModel(file: model, evidence: evidence)
        let algorithms = self.algorithms.isEmpty ? Algorithm.solveDefaults : try parseAlgorithms(self.algorithms)
        let outcome = try problem.solve(algorithms, recording: trace == nil ? .final : .everyIteration)
        let finished = outcome.runs.map(\.result)
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
            try FileHandle.standardOutput.write(contentsOf: outcome.json + [UInt8(ascii: "\n")])
            return
        }
        print(problem.summary)
        print("algorithm".padding(toLength: 44, withPad: " ", startingAt: 0) + "      log Z        energy  iterations   seconds")
        for (r, t) in outcome.runs {
            print(r.algorithm.padding(toLength: 44, withPad: " ", startingAt: 0)
                  + String(format: " %12.6f  %12.6f  %10d  %8.3f", r.logZ, r.energy, r.iterations, t))
        }
        for s in outcome.skipped { print("\(s.algorithm): skipped after \(String(format: "%.3f", s.seconds)) s — \(s.reason)") }
    }

    /// One `.dat` file per iterative algorithm, written through a temporary file and a rename.
    private func writeTraces(_ results: [SolverResult], to directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CommandError("cannot create the trace directory \(directory); check the path and permissions")
        }
        for (k, result) in results.enumerated() where !result.trace.points.isEmpty {
            let provenance = Provenance(command: "pmf mrf solve --algo '\(result.algorithm)'", seed: nil, version: "PMFKit \(toolkitVersion)")
            try result.trace.dataFile(name: "\(k)-\(fileSafe(result.algorithm))", provenance: provenance)
                .write(in: URL(fileURLWithPath: directory, isDirectory: true))
        }
    }
}

/// An algorithm's spec as a file name: ASCII letters and digits, `.` and `-` kept, everything else `_`.
func fileSafe(_ text: String) -> String {
    String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber) || $0 == "." || $0 == "-" ? $0 : "_" })
}
