import ArgumentParser
import Foundation
import MRF
import Support

/// `pmf mrf compare`: every method against exact inference on one model, like libDAI's test driver.
struct MrfCompare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run every method on a model and tabulate max/mean marginal error, log Z error and rounded energy against exact.",
        discussion: """
        When exact inference cannot run (the junction tree needs more than exact[maxbytes=…], by default a \
        quarter of physical memory), the methods still run: the table shows their log Z estimates without \
        errors and says why exact was skipped. --evidence takes a UAI .evid file or a list like 3=1,7=0 \
        (see pmf mrf solve --help).
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
        let graph = problem.compiled
        guard case .exact(let exactSettings) = try Algorithm(parsing: exact) else {
            throw CommandError("--exact must be an exact spec such as exact or exact[method=enumerate], got \(exact)")
        }
        var reference: ExactResult?, exactSeconds = 0.0, exactSkipped: String?
        do {
            (reference, exactSeconds) = try timed { () throws(MRFError) in try exactSettings.solve(graph) }
        } catch {
            let explained = problem.conditioned.explain(error)
            if problem.isFatal(explained) { throw explained }
            exactSkipped = explained.description
        }
        let chosen = algorithms.isEmpty ? Algorithm.compareDefaults : try parseAlgorithms(algorithms)
        let rows: [Row] = chosen.map { algorithm in
            do {
                let (result, seconds) = try timed { try algorithm.run(on: graph, reference: reference) }
                let errors = reference.map { marginalErrors(result.marginals, $0.marginals) }
                return Row(algo: result.algorithm, logZ: jsonNumber(result.logZ), maxMarginalError: errors.flatMap { jsonNumber($0.max) },
                           meanMarginalError: errors.flatMap { jsonNumber($0.mean) },
                           logZError: reference.flatMap { jsonNumber(result.logZ - $0.logZ) }, energy: jsonNumber(result.energy),
                           seconds: seconds, iterations: result.iterations, error: nil)
            } catch {
                return Row(algo: algorithm.description, logZ: nil, maxMarginalError: nil, meanMarginalError: nil, logZError: nil,
                           energy: nil, seconds: nil, iterations: nil, error: "\(error)")
            }
        }
        if json {
            struct Exact: Encodable { let algo: String; let logZ: Double; let mapEnergy: Double?; let seconds: Double }
            struct Output: Encodable { let model: String; let exact: Exact?; let exactSkipped: String?; let results: [Row] }
            try printJSON(Output(model: model, exact: reference.map {
                Exact(algo: exactSettings.description, logZ: $0.logZ, mapEnergy: jsonNumber($0.mapEnergy), seconds: exactSeconds)
            }, exactSkipped: exactSkipped, results: rows))
            return
        }
        print(problem.summary)
        if let reference {
            print(String(format: "%@: log Z = %.6f, MAP energy = %.6f (%.3f s)", exactSettings.description, reference.logZ, reference.mapEnergy, exactSeconds))
        } else {
            print("\(exactSettings.description): skipped — \(exactSkipped ?? "")")
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
