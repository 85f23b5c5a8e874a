@testable import MRF
import RealModule
import Simplex
import Testing

/// Both relaxed objectives: gradients against central finite differences, and their relation.
@Suite struct ObjectiveTests {
    @Test func expectedEnergyGradientMatchesFiniteDifferences() {
        let random = RandomSource(seed: 21)
        let graph = CompiledGraph(randomModel(variables: 7, edges: 9, triples: 2, random: random))
        let objective = ExpectedEnergy(graph)
        let u = interiorPoint(graph.cardinalities, random: random)
        let numerical = numericalGradient({ objective.value(at: $0) }, at: u)
        #expect(zip(objective.gradient(at: u), numerical).allSatisfy { abs($0 - $1) < 1e-7 })
    }

    @Test func expectedEnergyAtAVertexIsTheEnergy() {
        let random = RandomSource(seed: 22)
        let graph = CompiledGraph(randomModel(variables: 6, edges: 8, triples: 1, zeros: true, random: random))
        for _ in 0 ..< 20 {
            let labels = graph.cardinalities.map { random.integer(below: $0) }
            let u = graph.cardinalities.indices.flatMap { i in (0 ..< graph.cardinalities[i]).map { $0 == labels[i] ? 1.0 : 0 } }
            let expected = ExpectedEnergy(graph).value(at: u), direct = graph.graph.energy(of: labels)
            #expect(expected == direct || abs(expected - direct) < 1e-12)
        }
    }

    @Test func pluginEnergyGradientMatchesFiniteDifferences() {
        let random = RandomSource(seed: 23)
        for levels in [QuantizationLevels.binary, .ternary, try! .kLevel(4)] {
            let model = ModelGenerator.quadratic(size: 6, levels: levels, coupling: 1, field: 1, random: random)
            let objective = PluginEnergy(model)
            let u = interiorPoint(objective.cardinalities, random: random)
            let numerical = numericalGradient({ objective.value(at: $0) }, at: u)
            #expect(zip(objective.gradient(at: u), numerical).allSatisfy { abs($0 - $1) < 1e-7 })
        }
    }

    /// E_u[wᵀAw + bᵀw] − E(u·q) = Σ_i A_ii Var_u(w_i), and both equal E(w) at vertices.
    @Test func expectedAndPluginEnergiesDifferByTheVariance() {
        let random = RandomSource(seed: 24)
        let model = ModelGenerator.quadratic(size: 8, levels: .ternary, coupling: 1, field: 1, random: random)
        let expected = ExpectedEnergy(CompiledGraph(model.factorGraph)), plugin = PluginEnergy(model)
        let u = interiorPoint(plugin.cardinalities, random: random)
        let q = model.levels.values
        let variance = (0 ..< model.size).reduce(0.0) { total, i in
            let row = Array(u[3 * i ..< 3 * i + 3])
            let mean = zip(row, q).reduce(0) { $0 + $1.0 * $1.1 }, square = zip(row, q).reduce(0) { $0 + $1.0 * $1.1 * $1.1 }
            return total + model.couplings[i, i] * (square - mean * mean)
        }
        #expect(abs(expected.value(at: u) - plugin.value(at: u) - variance) < 1e-12)
        let labels = (0 ..< model.size).map { _ in random.integer(below: 3) }
        #expect(abs(expected.energy(of: labels) - plugin.energy(of: labels)) < 1e-12)
    }
}
