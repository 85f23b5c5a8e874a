import Foundation
@testable import MRF
import Simplex
import Testing

/// The file path of `pmf mrf solve`: read, condition, solve, and the JSON of the outcome.
@Suite struct LoadedModelTests {
    struct Output: Decodable {
        struct Row: Decodable { let algo: String; let energy, logZ: Double?; let iterations: Int; let map: [Int]; let marginals: [[Double]]; let seconds: Double }
        struct Skipped: Decodable { let algo, reason: String; let seconds: Double }
        let observed: Int
        let results: [Row]
        let skipped: [Skipped]
    }

    /// The outcome on a file equals the algorithms run by hand on the model conditioned on the same
    /// evidence, and its JSON decodes to the same numbers (every Double exactly), leaving out an
    /// infinite energy; an algorithm that cannot run (BP on a triple factor) is listed as skipped.
    @Test func solvingAFileMatchesTheAlgorithmsRunByHand() throws {
        let random = RandomSource(seed: 21)
        var graph = randomModel(variables: 7, edges: 9, triples: 1, zeros: true, random: random)
        // A hard constraint the maximum-entropy point violates, so mf[maxiter=0]'s rounded energy is +∞.
        graph = FactorGraph(unchecked: graph.cardinalities, factors: graph.factors + [
            Factor(unchecked: [0], cardinalities: [graph.cardinalities[0]],
                   energies: [.infinity] + [Double](repeating: 0, count: graph.cardinalities[0] - 1)),
        ])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("loaded-\(UUID().uuidString).uai").path
        try ModelFile.write(graph, to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let model = try LoadedModel(file: path, evidence: "3=1")
        let algorithms = try ["mf", "bp", "exact", "mf[maxiter=0]", "pmf[maxiter=5]"].map(Algorithm.init(parsing:))
        let outcome = try model.solve(algorithms)

        let conditioned = try ConditionedGraph(try ModelFile.read(path), evidence: Evidence.read("3=1"))
        let compiled = CompiledGraph(conditioned.reduced)
        let exact = try ExactSettings().solve(compiled)
        let expected = [algorithms[0], algorithms[3], algorithms[4]].map { conditioned.expand(try! $0.run(on: compiled, reference: exact)) }
        let byHand = [expected[0], conditioned.expand(SolverResult(exact: exact, algorithm: "exact")), expected[1], expected[2]]
        #expect(outcome.runs.map(\.result.algorithm) == byHand.map(\.algorithm))
        #expect(outcome.skipped.map(\.algorithm) == ["bp"] && outcome.observed == 1)
        let decoded = try JSONDecoder().decode(Output.self, from: Data(outcome.json))
        #expect(decoded.observed == 1 && decoded.skipped.map(\.algo) == ["bp"])
        for ((result, seconds), (row, hand)) in zip(outcome.runs, zip(decoded.results, byHand)) {
            #expect(result.marginals == hand.marginals && result.labels == hand.labels && result.logZ == hand.logZ)
            #expect(row.algo == hand.algorithm && row.marginals == hand.marginals && row.map == hand.labels && row.iterations == hand.iterations)
            #expect(row.logZ == (hand.logZ.isFinite ? hand.logZ : nil) && row.energy == (hand.energy.isFinite ? hand.energy : nil))
            #expect(row.seconds == seconds)
        }
        #expect(byHand.contains { !$0.energy.isFinite })
    }
}
