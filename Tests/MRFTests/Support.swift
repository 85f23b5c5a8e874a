@testable import MRF
import Simplex

/// A random model over `n` variables with 2–3 labels: a unary factor per variable, a random edge
/// set, optional factors over three variables, and optional hard zeros (infinite energies) that never
/// touch the all-zero labelling, so Z > 0.
func randomModel(variables n: Int, edges: Int, triples: Int = 0, zeros: Bool = false, random: RandomSource) -> FactorGraph {
    let cards = (0 ..< n).map { _ in 2 + random.integer(below: 2) }
    func table(_ scope: [Int]) -> Factor {
        let factor = Factor(unchecked: scope, cardinalities: scope.map { cards[$0] }, energies: [])
        let size = factor.cardinalities.reduce(1, *)
        let energies = (0 ..< size).map { index -> Double in
            let isOrigin = index == 0
            return zeros && !isOrigin && random.uniform() < 0.15 ? .infinity : random.uniform(-1.5, 1.5)
        }
        return Factor(unchecked: scope, cardinalities: factor.cardinalities, energies: energies)
    }
    var factors = (0 ..< n).map { table([$0]) }
    for _ in 0 ..< edges {
        let i = random.integer(below: n), j = random.integer(below: n)
        if i != j { factors.append(table([i, j])) }
    }
    for _ in 0 ..< triples where n >= 3 {
        let scope = Array(random.permutation(n).prefix(3))
        factors.append(table(scope))
    }
    return FactorGraph(unchecked: cards, factors: factors)
}

/// Largest absolute difference between two sets of marginals.
func maxDifference(_ a: [[Double]], _ b: [[Double]]) -> Double { maxMarginalError(a, b) }

/// Whether two graphs have the same variables, scopes and energies (to a relative tolerance; +∞ equal).
func sameModel(_ a: FactorGraph, _ b: FactorGraph, tolerance: Double = 1e-12) -> Bool {
    guard a.cardinalities == b.cardinalities, a.factors.count == b.factors.count else { return false }
    return zip(a.factors, b.factors).allSatisfy { f, g in
        f.scope == g.scope && f.cardinalities == g.cardinalities && zip(f.energies, g.energies).allSatisfy { x, y in
            x == y || abs(x - y) <= tolerance * max(1, abs(x))
        }
    }
}

/// Central finite differences of f at x, entry by entry.
func numericalGradient(_ f: ([Double]) -> Double, at x: [Double], step h: Double = 1e-6) -> [Double] {
    x.indices.map { k in
        var plus = x, minus = x
        plus[k] += h
        minus[k] -= h
        return (f(plus) - f(minus)) / (2 * h)
    }
}

/// A random point strictly inside Δ^m for the given row lengths.
func interiorPoint(_ cardinalities: [Int], random: RandomSource) -> [Double] {
    cardinalities.flatMap { d in
        let raw = (0 ..< d).map { _ in random.uniform(0.1, 1) }
        let total = raw.reduce(0, +)
        return raw.map { $0 / total }
    }
}

/// A random network: each variable a CPT given up to two earlier variables, some zero entries.
func randomNetwork(seed: UInt) -> FactorGraph {
    let random = RandomSource(seed: seed)
    let n = 7
    let cards = (0 ..< n).map { _ in 2 + random.integer(below: 2) }
    let factors = (0 ..< n).map { child -> Factor in
        let parents = child == 0 ? [] : Array(random.permutation(child).prefix(random.integer(below: 3))).sorted()
        let scope = parents + [child]
        let rows = parents.reduce(1) { $0 * cards[$1] }
        var energies: [Double] = []
        for _ in 0 ..< rows {
            var row = (0 ..< cards[child]).map { _ in random.uniform(0.05, 1) }
            if random.uniform() < 0.3 { row[random.integer(below: row.count)] = 0 }
            let total = row.reduce(0, +)
            energies += row.map { energy(ofPotential: $0 / total) }
        }
        return Factor(unchecked: scope, cardinalities: scope.map { cards[$0] }, energies: energies)
    }
    return FactorGraph(unchecked: cards, factors: factors)
}
