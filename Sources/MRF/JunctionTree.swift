import RealModule

/// Exact inference by variable elimination on a junction tree built from a min-fill order.
///
/// Eliminating variable v (in min-fill order) creates the clique C_v = {v} ∪ its neighbours at that
/// moment; C_v's parent is the clique of the earliest-eliminated variable of C_v ∖ {v}, and every
/// factor goes to the clique of its first-eliminated variable. Two passes of sum-product in log space
/// (upward: sum out v; downward: from each parent to its children) give log Z and every marginal;
/// an upward max-product pass with backtracking in reverse elimination order gives a MAP labelling.
/// Cost O(Σ_v |states of C_v| · (1 + children)), so chains, trees and grids of width w with
/// d^(w+1) small are exact at hundreds of variables.
public struct JunctionTree: Sendable {
    /// The largest clique (in joint labels) it agrees to build.
    public var maxCliqueStates: Double

    /// - Parameter maxCliqueStates: default 2²² entries (32 MiB per table).
    public init(maxCliqueStates: Double = 4_194_304) { self.maxCliqueStates = maxCliqueStates }

    /// A greedy min-fill elimination order of the interaction graph (ties: fewer neighbours, then the
    /// lower index), with the clique each elimination creates. Throws `.tooLarge` as soon as a clique
    /// exceeds `maxCliqueStates`.
    public func eliminationOrder(_ graph: FactorGraph) throws(MRFError) -> (order: [Int], cliques: [[Int]]) {
        let n = graph.variableCount
        var adjacent = [Set<Int>](repeating: [], count: n)
        for factor in graph.factors {
            for a in factor.scope { for b in factor.scope where a != b { adjacent[a].insert(b) } }
        }
        var remaining = Set(0 ..< n)
        var order: [Int] = [], cliques: [[Int]] = []
        while !remaining.isEmpty {
            var best = -1, bestFill = Int.max, bestDegree = Int.max
            for v in remaining.sorted() {
                let neighbours = Array(adjacent[v])
                var fill = 0
                for (k, a) in neighbours.enumerated() {
                    for b in neighbours[(k + 1)...] where !adjacent[a].contains(b) { fill += 1 }
                }
                if fill < bestFill || (fill == bestFill && neighbours.count < bestDegree) {
                    (best, bestFill, bestDegree) = (v, fill, neighbours.count)
                }
            }
            let clique = ([best] + adjacent[best]).sorted()
            let states = clique.reduce(1.0) { $0 * Double(graph.cardinalities[$1]) }
            guard states <= maxCliqueStates else {
                throw .tooLarge("variable elimination needs a clique of \(clique.count) variables (\(states) joint labels), more than maxclique=\(maxCliqueStates); the model is too densely connected for exact inference")
            }
            for a in adjacent[best] {
                adjacent[a].remove(best)
                for b in adjacent[best] where b != a { adjacent[a].insert(b) }
            }
            remaining.remove(best)
            order.append(best)
            cliques.append(clique)
        }
        return (order, cliques)
    }

    /// log Z, all marginals and a MAP labelling. Throws `.tooLarge` for too wide a model and
    /// `.invalidModel` when Z = 0.
    public func solve(_ compiled: CompiledGraph) throws(MRFError) -> ExactResult {
        let graph = compiled.graph
        let (order, cliques) = try eliminationOrder(graph)
        let n = graph.variableCount
        var position = [Int](repeating: 0, count: n)
        for (k, v) in order.enumerated() { position[v] = k }
        // Clique k belongs to order[k]; its parent is the clique of its earliest-eliminated other member.
        var parent = [Int?](repeating: nil, count: n), children = [[Int]](repeating: [], count: n)
        for k in 0 ..< n {
            if let p = cliques[k].filter({ $0 != order[k] }).map({ position[$0] }).min() {
                parent[k] = p
                children[p].append(k)
            }
        }
        var assigned = [[LogTable]](repeating: [], count: n)
        var constant = 0.0
        for factor in graph.factors {
            if let first = factor.scope.map({ position[$0] }).min() {
                assigned[first].append(LogTable(factor))
            } else {
                constant -= factor.energies[0]
            }
        }
        let potentials = (0 ..< n).map { k in
            LogTable.sum(assigned[k], over: cliques[k], cardinalities: cliques[k].map { graph.cardinalities[$0] })
        }
        func combined(_ k: Int, _ extra: [LogTable]) -> LogTable {
            LogTable.sum([potentials[k]] + extra, over: cliques[k], cardinalities: potentials[k].cardinalities)
        }

        // Upward passes (children are eliminated before their parents).
        var up = [LogTable](repeating: .one, count: n), upMax = up
        for k in 0 ..< n {
            up[k] = combined(k, children[k].map { up[$0] }).eliminating(order[k], maximise: false)
            upMax[k] = combined(k, children[k].map { upMax[$0] }).eliminating(order[k], maximise: true)
        }
        var logZ = constant
        for k in 0 ..< n where parent[k] == nil { logZ += up[k].values[0] }
        guard logZ > -.infinity else {
            throw .invalidModel("every labelling violates a hard constraint (Z = 0), so there are no marginals; relax a zero potential")
        }

        // Downward pass, parents before children, then each clique's marginal of its own variable.
        var down = [LogTable](repeating: .one, count: n)
        var marginals = [[Double]](repeating: [], count: n)
        for k in stride(from: n - 1, through: 0, by: -1) {
            let incoming = children[k].map { up[$0] } + (parent[k] == nil ? [] : [down[k]])
            let belief = combined(k, incoming).restricted(to: [order[k]], maximise: false)
            let norm = logSumExp(belief.values)
            marginals[order[k]] = belief.values.map { Double.exp($0 - norm) }
            for c in children[k] {
                let others = children[k].filter { $0 != c }.map { up[$0] } + (parent[k] == nil ? [] : [down[k]])
                down[c] = combined(k, others).restricted(to: Set(up[c].scope), maximise: false)
            }
        }

        // MAP by backtracking: every other member of clique k is decided before order[k].
        var labels = [Int](repeating: 0, count: n)
        for k in stride(from: n - 1, through: 0, by: -1) {
            let v = order[k]
            let table = combined(k, children[k].map { upMax[$0] })
            var bestLabel = 0, bestValue = -Double.infinity
            for a in 0 ..< graph.cardinalities[v] {
                labels[v] = a
                let value = table.value(at: labels)
                if value > bestValue { (bestLabel, bestValue) = (a, value) }
            }
            labels[v] = bestLabel
        }
        return ExactResult(logZ: logZ, marginals: marginals, map: labels, mapEnergy: graph.energy(of: labels))
    }
}
