@testable import MRF
import Simplex
import Testing

/// The compiled layout against the factor list it came from.
@Suite struct CompiledGraphTests {
    /// Every directed entry i→j holds Σ θ_f(x_i = a, x_j = b) over the graph's two-variable factors on
    /// {i, j} (in either scope order, repeated pairs included), neighbour lists are increasing,
    /// `reverse` pairs the two directions, and unaries and energies match the factor list's.
    @Test(arguments: 0 ..< 6 as Range<UInt>)
    func entriesHoldTheSummedPairTables(seed: UInt) {
        let random = RandomSource(seed: seed)
        let graph = randomModel(variables: 9, edges: 40, triples: 2, zeros: seed % 2 == 1, random: random)
        let compiled = CompiledGraph(graph)
        var pairs = Set<[Int]>()
        for factor in graph.factors where factor.scope.count == 2 { pairs.insert(factor.scope.sorted()) }
        #expect(compiled.edgeCount == pairs.count)
        for i in 0 ..< graph.variableCount {
            let expectedNeighbors = pairs.compactMap { $0.contains(i) ? $0.first { $0 != i } : nil }.sorted()
            #expect(compiled.neighbors(of: i) == expectedNeighbors)
            var unary = [Double](repeating: 0, count: graph.cardinalities[i])
            for factor in graph.factors where factor.scope == [i] { for a in unary.indices { unary[a] += factor.energies[a] } }
            #expect(compiled.unaryEnergies(of: i) == unary)
            for e in compiled.adjacencyStart[i] ..< compiled.adjacencyStart[i + 1] {
                let j = compiled.neighbor[e], back = compiled.reverse[e]
                #expect(compiled.neighbor[back] == i && compiled.reverse[back] == e)
                let dj = graph.cardinalities[j]
                var labels = [Int](repeating: 0, count: graph.variableCount)
                for a in 0 ..< graph.cardinalities[i] {
                    for b in 0 ..< dj {
                        (labels[i], labels[j]) = (a, b)
                        let expected = graph.factors.filter { Set($0.scope) == [i, j] }.reduce(0.0) { $0 + $1.energy(at: labels) }
                        let stored = compiled.tables[compiled.tableStart[e] + a * dj + b]
                        #expect(stored == expected || abs(stored - expected) <= 1e-12 * abs(expected))
                    }
                }
            }
        }
        for _ in 0 ..< 20 {
            let labels = graph.cardinalities.map { random.integer(below: $0) }
            let (x, y) = (compiled.energy(of: labels), graph.energy(of: labels))
            #expect(x == y || abs(x - y) <= 1e-12 * abs(y))
        }
    }
}
