import ArgumentParser
import Foundation
import MRF

/// `pmf mrf compare`: every method against exact inference on one model, like libDAI's test driver.
struct MrfCompare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run every method on a model and tabulate max/mean marginal error, log Z error and rounded energy against exact.")

    @Option(help: "Model file, .uai or .fg.") var model: String
    @Option(name: .customLong("algo"), help: "Algorithm spec to compare (repeatable; default: every method at its defaults).")
    var algorithms: [String] = []
    @Option(help: "The exact method: exact, exact[method=enumerate], …") var exact = "exact"
    @Flag(help: "Print {\"exact\": {…}, \"results\": [{\"algo\", \"maxMarginalError\", …}]}.") var json = false

    struct Row: Encodable {
        let algo: String
        let maxMarginalError, meanMarginalError, logZError, energy, seconds: Double?
        let iterations: Int?
        let error: String?
    }

    func run() throws {
        let graph = try loadModel(model)
        guard case .exact(let exactSettings) = try Algorithm(parsing: exact) else {
            throw CommandError("--exact must be an exact spec such as exact or exact[method=enumerate], got \(exact)")
        }
        let (reference, exactSeconds) = try timed { try exactSettings.solve(graph) }
        let chosen = algorithms.isEmpty ? Algorithm.all.filter { if case .exact = $0 { false } else { true } } : try parseAlgorithms(algorithms)
        let rows: [Row] = chosen.map { algorithm in
            do {
                let (result, seconds) = try timed { try algorithm.run(on: graph, reference: reference) }
                let (maxError, meanError) = marginalErrors(result.marginals, reference.marginals)
                return Row(algo: result.algorithm, maxMarginalError: jsonNumber(maxError), meanMarginalError: jsonNumber(meanError),
                           logZError: jsonNumber(result.logZ - reference.logZ), energy: jsonNumber(result.energy),
                           seconds: seconds, iterations: result.iterations, error: nil)
            } catch {
                return Row(algo: algorithm.description, maxMarginalError: nil, meanMarginalError: nil, logZError: nil,
                           energy: nil, seconds: nil, iterations: nil, error: "\(error)")
            }
        }
        if json {
            struct Exact: Encodable { let algo: String; let logZ: Double; let mapEnergy: Double?; let seconds: Double }
            struct Output: Encodable { let model: String; let exact: Exact; let results: [Row] }
            try printJSON(Output(model: model, exact: Exact(algo: exactSettings.description, logZ: reference.logZ,
                                                            mapEnergy: jsonNumber(reference.mapEnergy), seconds: exactSeconds),
                                 results: rows))
            return
        }
        print("model \(model): \(graph.variableCount) variables, \(graph.edgeCount) edges")
        print(String(format: "%@: log Z = %.6f, MAP energy = %.6f (%.3f s)", exactSettings.description, reference.logZ, reference.mapEnergy, exactSeconds))
        print("algorithm".padding(toLength: 28, withPad: " ", startingAt: 0) + "  max marg err  mean marg err   logZ error    energy   iters  seconds")
        for row in rows {
            let name = row.algo.padding(toLength: 28, withPad: " ", startingAt: 0)
            if let error = row.error {
                print("\(name)  skipped: \(error)")
                continue
            }
            print(name + String(format: "  %12.3e  %13.3e  %11.3e  %9.4f  %6d  %7.3f", row.maxMarginalError ?? .nan,
                                row.meanMarginalError ?? .nan, row.logZError ?? .nan, row.energy ?? .infinity,
                                row.iterations ?? 0, row.seconds ?? 0))
        }
    }
}
