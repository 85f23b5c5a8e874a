import Foundation
@testable import MRF
import Simplex
import Testing

/// `Evaluation.compare`, behind `pmf mrf compare`: every algorithm against exact inference on one model.
@Suite struct ExactComparisonTests {
    /// A random model (2–3 labels per variable) written to a temporary `.uai` file, read back with `evidence`.
    func loaded(seed: UInt, evidence: String?) throws -> (LoadedModel, FactorGraph) {
        let graph = randomModel(variables: 6, edges: 8, random: RandomSource(seed: seed))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("compare-\(UUID().uuidString).uai").path
        try ModelFile.write(graph, to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return (try LoadedModel(file: path, evidence: evidence), graph)
    }

    /// The errors are those of the free variables against enumeration's answers: per variable the
    /// largest label error, then max and mean; log Z's difference is signed, mean-field's negative.
    @Test func errorsAreAgainstTheExactAnswersOverTheFreeVariables() throws {
        let (model, graph) = try loaded(seed: 5, evidence: "2=1")
        let evidence = try Evidence.read("2=1")
        let algorithms = try ["mf", "exact[method=enumerate]", "bp"].map(Algorithm.init(parsing:))
        let comparison = try Evaluation(algorithms: algorithms).compare(model, exact: ExactSettings())
        let (logZ, marginals) = restrictedByEnumeration(graph, evidence)
        #expect(abs(comparison.exact!.logZ - logZ) < 1e-9 && comparison.exactSkipped == nil)

        let rows = comparison.runs.compactMap { if case .ran(let row) = $0 { row } else { nil } }
        #expect(rows.map(\.algorithm) == ["mf", "exact[method=enumerate]", "bp"])
        let mf = model.conditioned.expand(try algorithms[0].run(on: model.compiled))
        let free = [0, 1, 3, 4, 5]
        let largest = free.map { v in zip(mf.marginals[v], marginals[v]).map { abs($0 - $1) }.max()! }
        #expect(abs(rows[0].errors.maxMarginal! - largest.max()!) < 1e-9)
        #expect(abs(rows[0].errors.meanMarginal! - largest.reduce(0, +) / 5) < 1e-9)
        #expect(abs(comparison.logZDifference(rows[0])! - (mf.logZ - logZ)) < 1e-9 && comparison.logZDifference(rows[0])! < 0)
        #expect(rows[1].errors.maxMarginal! < 1e-9 && abs(comparison.logZDifference(rows[1])!) < 1e-9)
    }

    /// Without exact answers the algorithms still run, errors unavailable, and a failure keeps its place.
    @Test func aSkippedExactLeavesTheAlgorithmsWithoutErrors() throws {
        let (model, _) = try loaded(seed: 6, evidence: nil)
        let algorithms = try ["mf", "exact[maxbytes=1]", "bp"].map(Algorithm.init(parsing:))
        guard case .exact(let tiny) = algorithms[1] else {
            Issue.record("exact[maxbytes=1] did not parse as exact")
            return
        }
        let comparison = try Evaluation(algorithms: algorithms).compare(model, exact: tiny)
        #expect(comparison.exact == nil && comparison.exactSkipped?.contains("maxbytes") == true)
        let outcomes = comparison.runs.map { run -> String in
            switch run {
            case .ran(let row): "\(row.algorithm) \(row.errors.maxMarginal == nil && comparison.logZDifference(row) == nil)"
            case .failed(let failure): "\(failure.algorithm) failed"
            }
        }
        #expect(outcomes == ["mf true", "exact[maxbytes=1] failed", "bp true"])
    }
}
