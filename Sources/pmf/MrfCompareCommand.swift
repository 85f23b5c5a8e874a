import ArgumentParser
import Foundation
import MRF

/// `pmf mrf compare`: every method against exact inference on one model, like libDAI's test driver.
struct MrfCompare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run every method on a model and tabulate max/mean marginal error, log Z error and rounded energy against exact.",
        discussion: """
        The marginal errors are those of pmf mrf evaluate: per variable the largest error over its labels, \
        max_a |b_i(a) − p_i(a)|, then the max and the mean over the variables the evidence leaves free; the \
        log Z error is signed, log Z − log Z* (negative for mean-field's lower bound, positive for TRW's upper \
        one). When exact inference cannot run (the junction tree needs more than exact[maxbytes=…], by \
        default a quarter of physical memory), the methods still run: the table shows their log Z estimates \
        without errors and says why exact was skipped. --evidence takes a UAI .evid file or a list like \
        3=1,7=0 (see pmf mrf solve --help).
        """)

    @Option(help: "Model file, .uai (MARKOV or BAYES) or .fg.") var model: String
    @Option(name: .customLong("algo"), help: "Algorithm spec to compare (repeatable; default: every method at its defaults).")
    var algorithms: [String] = []
    @Option(help: "The exact method: exact, exact[method=enumerate], exact[maxbytes=16G], …") var exact = "exact"
    @Option(help: "Evidence: a UAI .evid file or a list like 3=1,7=0.") var evidence: String?
    @Flag(help: "Print {\"exact\": {…} or null, \"exactSkipped\": reason or null, \"results\": [{\"algo\", \"logZ\", \"maxMarginalError\", …}]}.")
    var json = false

    struct Row: Encodable {
        let algo: String
        let logZ, maxMarginalError, meanMarginalError, logZError, energy, seconds: Double?
        let iterations: Int?
        let error: String?
    }

    func run() throws {
        let problem = try LoadedModel(file: model, evidence: evidence)
        guard case .exact(let exactSettings) = try Algorithm(parsing: exact) else {
            throw CommandError("--exact must be an exact spec such as exact or exact[method=enumerate], got \(exact)")
        }
        let chosen = algorithms.isEmpty ? Algorithm.compareDefaults : try parseAlgorithms(algorithms)
        let comparison = try Evaluation(algorithms: chosen).compare(problem, exact: exactSettings)
        let rows = comparison.runs.map { run in
            switch run {
            case .ran(let r):
                Row(algo: r.algorithm, logZ: jsonNumber(r.logZ), maxMarginalError: r.errors.maxMarginal.flatMap(jsonNumber),
                    meanMarginalError: r.errors.meanMarginal.flatMap(jsonNumber), logZError: comparison.logZDifference(r).flatMap(jsonNumber),
                    energy: jsonNumber(r.energy), seconds: r.seconds, iterations: r.iterations, error: nil)
            case .failed(let f):
                Row(algo: f.algorithm, logZ: nil, maxMarginalError: nil, meanMarginalError: nil, logZError: nil, energy: nil, seconds: nil,
                    iterations: nil, error: f.reason)
            }
        }
        if json {
            struct Exact: Encodable { let algo: String; let logZ: Double; let mapEnergy: Double?; let seconds: Double }
            struct Output: Encodable { let model: String; let exact: Exact?; let exactSkipped: String?; let results: [Row] }
            try printJSON(Output(model: model, exact: comparison.exact.map {
                Exact(algo: exactSettings.description, logZ: $0.logZ, mapEnergy: jsonNumber($0.mapEnergy), seconds: comparison.exactSeconds)
            }, exactSkipped: comparison.exactSkipped, results: rows))
            return
        }
        print(problem.summary)
        if let reference = comparison.exact {
            print(String(format: "%@: log Z = %.6f, MAP energy = %.6f (%.3f s)", exactSettings.description, reference.logZ, reference.mapEnergy,
                         comparison.exactSeconds))
        } else {
            print("\(exactSettings.description): skipped — \(comparison.exactSkipped ?? "")")
        }
        print("algorithm".padding(toLength: 28, withPad: " ", startingAt: 0) + "  max marg err  mean marg err   logZ error        log Z    energy   iters  seconds")
        for row in rows {
            let name = row.algo.padding(toLength: 28, withPad: " ", startingAt: 0)
            if let error = row.error {
                print("\(name)  skipped: \(error)")
                continue
            }
            func column(_ x: Double?, _ width: Int) -> String {
                x.map { String(format: "%\(width).3e", $0) } ?? String(repeating: " ", count: width - 1) + "—"
            }
            print(name + "  " + column(row.maxMarginalError, 12) + "  " + column(row.meanMarginalError, 13) + "  " + column(row.logZError, 11)
                  + String(format: "  %11.4f  %8.4f  %6d  %7.3f", row.logZ ?? .nan, row.energy ?? .infinity, row.iterations ?? 0, row.seconds ?? 0))
        }
    }
}
