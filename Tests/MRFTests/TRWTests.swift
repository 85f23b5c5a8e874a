@testable import MRF
import Simplex
import Testing

/// Tree-reweighted BP: an upper bound on log Z, equal to BP and exact on trees.
@Suite struct TRWTests {
    func converged(_ graph: CompiledGraph, _ settings: TRWSettings = TRWSettings()) throws -> SolverResult {
        var settings = settings
        settings.maxIterations = 5000
        settings.tolerance = 1e-11
        let result = try TreeReweightedBP(settings, graph: graph).run()
        #expect(result.iterations < settings.maxIterations, "trw did not converge")
        return result
    }

    @Test(arguments: 0 ..< 8)
    func boundsLogZFromAbove(seed: Int) throws {
        let random = RandomSource(seed: UInt(900 + seed))
        let graph = CompiledGraph(randomModel(variables: 6 + seed % 4, edges: 12, random: random))
        let exact = try JunctionTree().solve(graph)
        let trw = try converged(graph)
        #expect(trw.logZ >= exact.logZ - 1e-9, "TRW \(trw.logZ) < log Z \(exact.logZ)")
        let bp = try BeliefPropagation(BPSettings(), graph: graph).run()
        #expect(trw.logZ >= bp.logZ - 1e-6 || !bp.logZ.isFinite)
    }

    @Test func gridWithUniformRhoBoundsLogZ() throws {
        let (rows, columns) = (3, 4)
        let edges = Topology.grid(rows: rows, columns: columns)
        let graph = CompiledGraph(ModelGenerator.pairwise(variables: rows * columns, edges: edges, potential: .potts, labels: 3,
                                                          coupling: 1.5, field: 1, couplings: .mixed, random: RandomSource(seed: 8)))
        var settings = TRWSettings()
        settings.rho = Double(rows * columns - 1) / Double(edges.count)
        let exact = try JunctionTree().solve(graph)
        #expect(try converged(graph, settings).logZ >= exact.logZ - 1e-9)
    }

    @Test(arguments: [PotentialKind.ising, .potts])
    func equalsBPAndExactOnTrees(kind: PotentialKind) throws {
        let random = RandomSource(seed: 31)
        let graph = CompiledGraph(ModelGenerator.pairwise(variables: 15, edges: Topology.tree(15, random: random), potential: kind,
                                                          labels: kind == .ising ? 2 : 3, coupling: 1, field: 1, couplings: .mixed, random: random))
        let trw = try TreeReweightedBP(TRWSettings(), graph: graph)
        #expect(trw.rho.allSatisfy { $0 == 1 })
        let result = try converged(graph)
        let exact = try JunctionTree().solve(graph)
        let bp = try BeliefPropagation(BPSettings(), graph: graph).run()
        #expect(abs(result.logZ - exact.logZ) < 1e-8 && abs(result.logZ - bp.logZ) < 1e-8)
        #expect(maxDifference(result.marginals, exact.marginals) < 1e-8)
    }

    /// Every spanning forest has n − (components) edges, so Σ_e ρ_e is exactly that; each ρ_e ∈ (0, 1].
    @Test func edgeAppearanceIsAPointOfTheSpanningTreePolytope() throws {
        let random = RandomSource(seed: 5)
        // Two components: a 3×3 grid on 0…8 and a triangle on 9…11.
        var edges = Topology.grid(rows: 3, columns: 3)
        edges += [(9, 10), (10, 11), (9, 11)]
        let graph = CompiledGraph(ModelGenerator.pairwise(variables: 12, edges: edges, potential: .ising, labels: 2, coupling: 1,
                                                          field: 1, couplings: .mixed, random: random))
        let rho = TreeReweightedBP.edgeAppearance(graph, trees: 7, seed: 3)
        #expect(rho.allSatisfy { $0 > 0 && $0 <= 1 })
        #expect(abs(rho.reduce(0, +) / 2 - Double(12 - 2)) < 1e-12)
        for i in 0 ..< 12 { for e in graph.adjacencyStart[i] ..< graph.adjacencyStart[i + 1] { #expect(rho[e] == rho[graph.reverse[e]]) } }
    }
}
