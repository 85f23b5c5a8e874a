import Foundation
import RealModule

/// Exact inference by variable elimination on a junction tree, sized by memory.
///
/// **Order.** Greedy min-fill (default: eliminate the variable whose neighbours lack the fewest
/// edges among themselves; ties to the smaller clique table, then the lower index) or min-weight
/// (the smallest clique table {v} ∪ neighbours), kept in buckets by fill-in, each an indexed 4-ary
/// heap, over a graph whose neighbour lists share one pool (see EliminationOrder.swift). Fill-in
/// counts are updated by exact increments, never recounted — an added edge (a, b) lowers the count
/// of each common neighbour of a and b and raises a's and b's by their neighbours the other lacks,
/// and removing v lowers each neighbour's by its neighbours outside the new clique — so one
/// elimination reads about Σ_{u ∈ N(v)} deg u + fill(v)·deg list entries (plus a heap update per
/// changed count) rather than a pass over all variables. While ordering,
/// the memory the junction tree will hold is summed; as soon as it exceeds `maxBytes` the order
/// stops and `.tooLarge` is thrown — before any table is allocated. The variables' index order is
/// tried first (on a grid numbered row by row it sweeps with a frontier of one row, about the
/// treewidth, where the greedy orders are often wider); the greedy order is kept only if it needs
/// less memory, and stops as soon as it needs more.
///
/// **Tree.** Eliminating v creates the clique C_v = {v} ∪ its neighbours at that moment; C_v's parent
/// is the clique of the earliest-eliminated variable of the separator S_v = C_v ∖ {v}, and each
/// factor goes to the clique of its first-eliminated variable.
///
/// **Tables** are in linear space with one log scale each (value = e^scale · entry, largest entry 1).
/// A clique's potential is stored over the union U_v ⊆ C_v of its factors' scopes: exp of the summed
/// log-potentials, one `exp` per entry of U_v; it is broadcast over C_v when the clique is worked
/// on. Messages are products and sums (sum-product upward for log Z, downward for every marginal;
/// max-product upward with backtracking for a MAP labelling), renormalised after each step; a
/// message meets a clique table through `Broadcast`'s strided runs, not an index array. Entries
/// smaller than 1e-308 of a table's largest entry underflow to 0.
///
/// **Memory** held at once, in bytes, at most 8·(Σ_v (|C_v| + 3·|S_v|) + 4·max_v |C_v|) — a stored
/// potential per clique (over U_v, at most |C_v|), the upward sum, upward max and downward messages
/// per separator, and the two work tables of the largest clique (the bound allows four); |·| counts
/// joint labels. Plans and refusals use this bound.
public struct JunctionTree: Sendable {
    /// The most memory (bytes) the tables may take; `exact[maxbytes=…]`.
    public var maxBytes: Double
    /// How the elimination order is chosen; `exact[order=…]`.
    public var heuristic: Heuristic

    /// Greedy elimination heuristics: eliminate next the variable whose elimination adds the fewest
    /// edges (`minfill`, ties to the smaller clique table), or whose clique table is smallest
    /// (`minweight`, cheaper per step, usually wider on grids).
    public enum Heuristic: String, CaseIterable, Sendable { case minfill, minweight }

    /// A quarter of the machine's physical memory.
    public static var defaultMaxBytes: Double { Double(ProcessInfo.processInfo.physicalMemory) / 4 }

    /// - Parameters:
    ///   - maxBytes: default `defaultMaxBytes`.
    ///   - heuristic: default `minfill`.
    public init(maxBytes: Double = JunctionTree.defaultMaxBytes, heuristic: Heuristic = .minfill) {
        self.maxBytes = maxBytes
        self.heuristic = heuristic
    }

    /// An elimination order with its cliques and the memory solving with it takes.
    public struct Plan: Sendable {
        /// The variables in elimination order.
        public let order: [Int]
        /// `cliques[k]`: order[k] and its neighbours when eliminated, sorted.
        public let cliques: [[Int]]
        /// The bytes the junction tree holds (see the type's documentation).
        public let bytes: Double
        /// The number of joint labels of the largest clique.
        public let largestCliqueStates: Double
        /// The number of variables of the largest clique (by joint labels).
        public let largestCliqueSize: Int
    }

    /// The order, cliques and memory, or `.tooLarge` as soon as the memory exceeds `maxBytes`.
    public func plan(_ graph: FactorGraph) throws(MRFError) -> Plan {
        let n = graph.variableCount
        let adjacency = Adjacency(graph)
        // The index order first (a row-by-row sweep on grids, often near the treewidth), then the
        // greedy heuristic, which stops as soon as it needs more memory than the better of the two.
        // If both exceed the limit, the refusal quotes the one that got the smaller lower bound.
        let sweep = Self.eliminate(adjacency, graph.cardinalities, order: Array(0 ..< n), heuristic: heuristic, limit: maxBytes)
        let bound = (try? sweep.get()).map { $0.bytes.nextDown } ?? maxBytes
        let greedy = Self.eliminate(adjacency, graph.cardinalities, order: nil, heuristic: heuristic, limit: min(maxBytes, bound))
        switch (sweep, greedy) {
        case (.success(let a), .success(let b)): return b.bytes < a.bytes ? b : a
        case (.success(let a), .failure): return a
        case (.failure, .success(let b)): return b
        case (.failure(let a), .failure(let b)):
            let least = a.bytes <= b.bytes ? a : b
            throw .tooLarge(Self.refusal(bytes: least.bytes, cliqueStates: least.largestStates, cliqueSize: least.largestSize,
                                         limit: maxBytes, eliminated: least.eliminated, of: n))
        }
    }

    /// Where an elimination stopped: the memory so far (more than its limit) and its largest clique.
    struct Exceeded: Error {
        let bytes, largestStates: Double
        let largestSize, eliminated: Int
    }

    /// The one-line refusal: the table size in bytes and human units, the limit and how to change it.
    static func refusal(bytes: Double, cliqueStates: Double, cliqueSize: Int, limit: Double, eliminated: Int, of n: Int) -> String {
        let whole = eliminated + 1 < n ? "at least " : ""
        let physical = Double(ProcessInfo.processInfo.physicalMemory)
        let limitNote = limit == defaultMaxBytes ? " (a quarter of the \(byteText(physical)) of physical memory)" : ""
        return "exact: the junction tree needs \(whole)\(countText(bytes)) bytes (\(byteText(bytes))), largest clique \(cliqueSize) variables with \(countText(cliqueStates)) joint labels, "
            + "but maxbytes is \(countText(limit)) (\(byteText(limit)))\(limitNote); if the machine has the memory, raise it with exact[maxbytes=\(suggestion(bytes))]\(whole.isEmpty ? "" : " or more"); else use bp or mf"
    }

    private static func suggestion(_ bytes: Double) -> String {
        let units = ["K", "M", "G", "T", "P"]
        var value = bytes / 1024, k = 0
        while value >= 1024 && k < units.count - 1 { value /= 1024; k += 1 }
        return "\(Int(value.rounded(.up)))\(units[k])"
    }

    /// log Z, all marginals and a MAP labelling. Throws `.tooLarge` (before allocating) when the
    /// tables need more than `maxBytes`, and `.zeroPartition` when Z = 0.
    public func solve(_ compiled: CompiledGraph) throws(MRFError) -> ExactResult {
        let graph = compiled.graph
        let plan = try self.plan(graph)
        let (order, cliques) = (plan.order, plan.cliques)
        let n = graph.variableCount
        let cards = graph.cardinalities
        var position = [Int](repeating: 0, count: n)
        for (k, v) in order.enumerated() { position[v] = k }
        var parent = [Int](repeating: -1, count: n), children = [[Int]](repeating: [], count: n)
        var separators = [[Int]](repeating: [], count: n)
        for k in 0 ..< n {
            separators[k] = cliques[k].filter { $0 != order[k] }
            if let p = separators[k].map({ position[$0] }).min() {
                parent[k] = p
                children[p].append(k)
            }
        }
        var assigned = [[Int]](repeating: [], count: n)
        var constant = 0.0
        for (f, factor) in graph.factors.enumerated() {
            if let first = factor.scope.map({ position[$0] }).min() { assigned[first].append(f) } else { constant += factor.energies[0] }
        }
        func cardinalities(_ scope: [Int]) -> [Int] { scope.map { cards[$0] } }

        // Clique potentials, stored over the union U_k of the assigned factors' scopes (U_k ⊆ C_k):
        // exp of the summed log-potentials, largest entry 1, with its log scale — one `exp` per entry
        // of U_k rather than of C_k; a clique table starts as this table broadcast over C_k.
        var potentials: [ScaledTable] = [], potentialScopes: [[Int]] = []
        potentials.reserveCapacity(n)
        potentialScopes.reserveCapacity(n)
        for k in 0 ..< n {
            let scope = Set(assigned[k].flatMap { graph.factors[$0].scope }).sorted(), ucards = cardinalities(scope)
            var energy = [Double](repeating: 0, count: ucards.reduce(1, *))
            for f in assigned[k] {
                let factor = graph.factors[f], own = factor.strides
                let strides = scope.map { v in factor.scope.firstIndex(of: v).map { own[$0] } ?? 0 }
                factor.energies.withUnsafeBufferPointer { e in
                    energy.withUnsafeMutableBufferPointer { t in
                        Broadcast(cardinalities: ucards, strides: strides).apply(t.baseAddress!, e.baseAddress!, +)
                    }
                }
            }
            let low = energy.min() ?? 0
            potentialScopes.append(scope)
            if low == .infinity {
                potentials.append(ScaledTable(values: [Double](repeating: 0, count: energy.count), scale: 0))
            } else {
                potentials.append(ScaledTable(values: energy.map { Double.exp(-($0 - low)) }, scale: -low))
            }
        }

        // Two clique-sized work tables serve every clique in turn (the memory plan allows four).
        let largest = Int(plan.largestCliqueStates)
        var first = [Double](repeating: 0, count: largest), second = first
        var up = [ScaledTable](repeating: .one, count: n), upMax = up, down = up
        var marginals = [[Double]](repeating: [], count: n)
        var logZ = -constant
        first.withUnsafeMutableBufferPointer { first in
            second.withUnsafeMutableBufferPointer { second in
                let (a, b) = (first.baseAddress!, second.baseAddress!)
                // Upward passes (children are eliminated before their parents): the clique's potential
                // times its children's messages, summed (and maximised) over its own variable.
                for k in 0 ..< n {
                    let scope = cliques[k], ccards = cardinalities(scope)
                    let count = ccards.reduce(1, *)
                    let (inner, width) = Self.layout(of: order[k], in: scope, ccards)
                    let into = { (c: Int) in Broadcast(scope: scope, cardinalities: ccards, subset: separators[c]) }
                    var sumScale = potentials[k].broadcast(into: a, Broadcast(scope: scope, cardinalities: ccards, subset: potentialScopes[k]))
                    b.update(from: a, count: count)
                    var maxScale = sumScale
                    for c in children[k] {
                        let alignment = into(c)
                        sumScale += up[c].multiply(a, alignment)
                        maxScale += upMax[c].multiply(b, alignment)
                    }
                    up[k] = ScaledTable.summingOut(a, count: count, scale: sumScale, inner: inner, width: width, maximise: false)
                    upMax[k] = ScaledTable.summingOut(b, count: count, scale: maxScale, inner: inner, width: width, maximise: true)
                }
                for k in 0 ..< n where parent[k] < 0 { logZ += up[k].logValue(0) }
                guard logZ > -.infinity else { return }

                // Downward pass, parents before children; each clique gives the marginal of its own
                // variable. `a` holds the potential times the parent's message, `b` that times children's.
                for k in stride(from: n - 1, through: 0, by: -1) {
                    let scope = cliques[k], ccards = cardinalities(scope)
                    let count = ccards.reduce(1, *)
                    let into = { (c: Int) in Broadcast(scope: scope, cardinalities: ccards, subset: separators[c]) }
                    var baseScale = potentials[k].broadcast(into: a, Broadcast(scope: scope, cardinalities: ccards, subset: potentialScopes[k]))
                    if parent[k] >= 0 { baseScale += down[k].multiply(a, into(k)) }
                    b.update(from: a, count: count)
                    for c in children[k] { _ = up[c].multiply(b, into(c)) }
                    let (inner, width) = Self.layout(of: order[k], in: scope, ccards)
                    let belief = ScaledTable.marginal(b, count: count, inner: inner, width: width)
                    let total = belief.reduce(0, +)
                    marginals[order[k]] = total > 0 ? belief.map { $0 / total } : belief.map { _ in 1 / Double(belief.count) }
                    for c in children[k] {
                        var scale = baseScale
                        let source: UnsafeMutablePointer<Double>
                        if children[k].count == 1 {
                            source = a
                        } else {
                            b.update(from: a, count: count)
                            for c2 in children[k] where c2 != c { scale += up[c2].multiply(b, into(c2)) }
                            source = b
                        }
                        down[c] = ScaledTable.projected(source, into(c), count: separators[c].reduce(1) { $0 * cards[$1] }, scale: scale)
                    }
                }
            }
        }
        guard logZ > -.infinity else { throw .zeroPartition }

        // MAP by backtracking: every other member of clique k is decided before order[k].
        var labels = [Int](repeating: 0, count: n)
        for k in stride(from: n - 1, through: 0, by: -1) {
            let v = order[k]
            var bestLabel = 0, bestValue = -1.0
            for a in 0 ..< cards[v] {
                labels[v] = a
                var value = potentials[k].values[tableIndex(potentialScopes[k], labels, cards)]
                for c in children[k] where value > 0 { value *= upMax[c].values[tableIndex(separators[c], labels, cards)] }
                if value > bestValue { (bestLabel, bestValue) = (a, value) }
            }
            labels[v] = bestLabel
        }
        return ExactResult(logZ: logZ, marginals: marginals, map: labels, mapEnergy: graph.energy(of: labels))
    }
}

extension JunctionTree {
    /// The stride (product of the later cardinalities) and cardinality of `variable` in a sorted scope.
    static func layout(of variable: Int, in scope: [Int], _ cardinalities: [Int]) -> (inner: Int, width: Int) {
        let t = scope.firstIndex(of: variable)!
        return (cardinalities[(t + 1)...].reduce(1, *), cardinalities[t])
    }
}

/// Entries in linear space times e^scale; the largest entry is 1 after each projection. Clique-sized
/// tables are not ScaledTables but work buffers with their scale beside them.
struct ScaledTable {
    var values: [Double]
    var scale: Double

    static let one = ScaledTable(values: [1], scale: 0)

    /// log of entry j including the scale (−∞ for a zero entry).
    func logValue(_ j: Int) -> Double { values[j] > 0 ? scale + Double.log(values[j]) : -.infinity }

    /// Writes this table broadcast over a clique table (`alignment` from the clique to this table's
    /// scope) into `table`; returns the scale.
    func broadcast(into table: UnsafeMutablePointer<Double>, _ alignment: Broadcast) -> Double {
        values.withUnsafeBufferPointer { alignment.apply(table, $0.baseAddress!) { _, x in x } }
        return scale
    }

    /// Multiplies every clique entry j by this message's entry at `alignment`'s index of j; returns
    /// the scale to add to the clique's.
    func multiply(_ table: UnsafeMutablePointer<Double>, _ alignment: Broadcast) -> Double {
        values.withUnsafeBufferPointer { alignment.apply(table, $0.baseAddress!, *) }
        return scale
    }

    /// Σ (or max) of a clique table over the variable of stride `inner` and cardinality `width` (the
    /// entries are (outer, x, inner) row-major), renormalised to largest entry 1.
    static func summingOut(_ table: UnsafePointer<Double>, count: Int, scale: Double, inner: Int, width: Int,
                           maximise: Bool) -> ScaledTable {
        let outer = count / (inner * width)
        var out = [Double](repeating: 0, count: outer * inner)
        out.withUnsafeMutableBufferPointer { o in
            for a in 0 ..< outer {
                let target = o.baseAddress! + a * inner
                for x in 0 ..< width {
                    let source = table + (a * width + x) * inner
                    if maximise {
                        for i in 0 ..< inner where source[i] > target[i] { target[i] = source[i] }
                    } else {
                        for i in 0 ..< inner { target[i] += source[i] }
                    }
                }
            }
        }
        var table = ScaledTable(values: out, scale: scale)
        table.renormalise()
        return table
    }

    /// Σ of a clique table's entries per label of the variable of stride `inner` and cardinality `width`.
    static func marginal(_ table: UnsafePointer<Double>, count: Int, inner: Int, width: Int) -> [Double] {
        let outer = count / (inner * width)
        var out = [Double](repeating: 0, count: width)
        for a in 0 ..< outer {
            for x in 0 ..< width {
                let source = table + (a * width + x) * inner
                var sum = 0.0
                for i in 0 ..< inner { sum += source[i] }
                out[x] += sum
            }
        }
        return out
    }

    /// Rescales to largest entry 1, in place (unchanged when all zero).
    mutating func renormalise() {
        let top = values.withUnsafeBufferPointer { $0.reduce(0) { Swift.max($0, $1) } }
        guard top > 0, top.isFinite, top != 1 else { return }
        let inverse = 1 / top
        values.withUnsafeMutableBufferPointer { for j in $0.indices { $0[j] *= inverse } }
        scale += Double.log(top)
    }

    /// Σ of a clique table's entries over those with equal index in the `count`-entry table
    /// `alignment` leads to, renormalised to largest entry 1.
    static func projected(_ table: UnsafePointer<Double>, _ alignment: Broadcast, count: Int, scale: Double) -> ScaledTable {
        var out = [Double](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { alignment.reduce(table, into: $0.baseAddress!, +) }
        var table = ScaledTable(values: out, scale: scale)
        table.renormalise()
        return table
    }
}

/// The row-major index into a table over `scope` of a full labelling.
func tableIndex(_ scope: [Int], _ labels: [Int], _ cards: [Int]) -> Int {
    var index = 0
    for v in scope { index = index * cards[v] + labels[v] }
    return index
}

/// A count without a fractional part: `16777216`, or `1.2e+30` beyond the integers.
public func countText(_ x: Double) -> String {
    x.isFinite && abs(x) < 9e18 ? "\(Int(x.rounded()))" : String(format: "%.3g", x)
}

/// Bytes in binary units: `512 B`, `1.5 KiB`, `24.0 GiB`.
public func byteText(_ bytes: Double) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    var value = bytes, k = 0
    while value >= 1024 && k < units.count - 1 { value /= 1024; k += 1 }
    return k == 0 ? "\(countText(value)) B" : String(format: "%.1f %@", value, units[k])
}
