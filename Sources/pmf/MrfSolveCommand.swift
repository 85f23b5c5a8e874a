import ArgumentParser
import Foundation
import MRF

/// `pmf mrf solve`: runs algorithms on a model file.
struct MrfSolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve",
        abstract: "Run algorithms on a model: log Z (exact, mean-field bound or Bethe), marginals, labelling, energy.",
        discussion: """
        SPEC is a name with optional settings: exact, mf, pmf, pgd, sparsemax, md, picm, icm, bp, or e.g. \
        pmf[eta=0.5,beta0=1,rho=1.05,every=10], mf[order=random,damping=0.3], bp[inference=max]. When exact is \
        among the algorithms it runs first and the traces also record marginal and log Z errors.
        """)

    @Option(help: "Model file, .uai or .fg.") var model: String
    @Option(name: .customLong("algo"), help: "Algorithm spec (repeatable).") var algorithms: [String] = ["exact", "mf", "pmf", "bp"]
    @Option(help: "Directory for per-algorithm traces (gnuplot columns).") var trace: String?
    @Flag(help: "Print {\"results\": [{\"algo\", \"logZ\", \"marginals\", \"map\", \"energy\", \"iterations\"}]}.") var json = false

    struct Row: Encodable {
        let algo: String
        let logZ: Double?
        let marginals: [[Double]]
        let map: [Int]
        let energy: Double?
        let iterations: Int
    }

    func run() throws {
        let graph = try loadModel(model)
        let algorithms = try parseAlgorithms(self.algorithms)
        // Exact first, so that the others can be measured against it; output keeps the given order.
        var reference: ExactResult?
        var results = [SolverResult?](repeating: nil, count: algorithms.count)
        for (k, algorithm) in algorithms.enumerated() {
            if case .exact(let settings) = algorithm, reference == nil {
                let exact = try settings.solve(graph)
                reference = exact
                results[k] = SolverResult(exact: exact, algorithm: algorithm.description)
            }
        }
        for (k, algorithm) in algorithms.enumerated() where results[k] == nil {
            results[k] = try algorithm.run(on: graph, reference: reference)
        }
        let finished = results.compactMap { $0 }
        if let trace { try writeTraces(finished, to: trace) }
        if json {
            try printJSON(["results": finished.map {
                Row(algo: $0.algorithm, logZ: jsonNumber($0.logZ), marginals: $0.marginals, map: $0.labels,
                    energy: jsonNumber($0.energy), iterations: $0.iterations)
            }])
            return
        }
        print("model \(model): \(graph.variableCount) variables, \(graph.edgeCount) edges, \(graph.higherOrder.count) larger factors")
        print("algorithm".padding(toLength: 44, withPad: " ", startingAt: 0) + "      log Z        energy  iterations")
        for r in finished {
            print(r.algorithm.padding(toLength: 44, withPad: " ", startingAt: 0)
                  + String(format: " %12.6f  %12.6f  %10d", r.logZ, r.energy, r.iterations))
        }
    }

    /// One `.dat` file per iterative algorithm, written through a temporary file and a rename.
    private func writeTraces(_ results: [SolverResult], to directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CommandError("cannot create the trace directory \(directory); check the path and permissions")
        }
        for (k, result) in results.enumerated() where !result.trace.points.isEmpty {
            let name = String(result.algorithm.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" })
            try writeAtomically(result.trace.gnuplotText, to: "\(directory)/\(k)-\(name).dat")
        }
    }
}
