import Foundation
import RealModule

/// Exact inference by variable elimination on a junction tree, sized by memory.
///
/// **Order.** Greedy min-fill (default: eliminate the variable whose neighbours lack the fewest
/// edges among themselves; ties to the smaller clique table, then the lower index) or min-weight
/// (the smallest clique table {v} ∪ neighbours), kept in an indexed binary heap. Fill-in
/// counts are updated incrementally — an added edge (a, b) lowers the count of each common
/// neighbour of a and b, and only the eliminated variable's neighbours are recounted — so one
/// elimination costs about O(|N(v)|²·deg) rather than a pass over all variables. While ordering,
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
/// **Tables** are in linear space with one log scale each (value = e^scale · entry, largest entry 1):
/// a clique potential is exp of its summed log-potentials (one `exp` per entry, once); messages are
/// products and sums (sum-product upward for log Z, downward for every marginal; max-product upward
/// with backtracking for a MAP labelling), renormalised after each step. Entries smaller than
/// 1e-308 of a table's largest entry underflow to 0.
///
/// **Memory** held at once, in bytes: 8·(Σ_v (|C_v| + 3·|S_v|) + 4·max_v |C_v|) — a stored potential
/// per clique, the upward sum, upward max and downward messages per separator, and the working
/// tables of the largest clique (|·| counts joint labels).
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

        // Clique potentials: exp of the summed log-potentials, largest entry 1, with its log scale.
        var potentials: [ScaledTable] = []
        potentials.reserveCapacity(n)
        for k in 0 ..< n {
            let scope = cliques[k], ccards = cardinalities(scope)
            var energy = [Double](repeating: 0, count: ccards.reduce(1, *))
            for f in assigned[k] {
                let factor = graph.factors[f], own = factor.strides
                let strides = scope.map { v in factor.scope.firstIndex(of: v).map { own[$0] } ?? 0 }
                let index = projection(cardinalities: ccards, strides: strides)
                factor.energies.withUnsafeBufferPointer { e in
                    for j in energy.indices { energy[j] += e[index[j]] }
                }
            }
            let low = energy.min() ?? 0
            if low == .infinity {
                potentials.append(ScaledTable(values: [Double](repeating: 0, count: energy.count), scale: 0))
            } else {
                potentials.append(ScaledTable(values: energy.map { Double.exp(-($0 - low)) }, scale: -low))
            }
        }

        // Upward passes (children are eliminated before their parents).
        var up = [ScaledTable](repeating: .one, count: n), upMax = up
        for k in 0 ..< n {
            let scope = cliques[k], ccards = cardinalities(scope)
            let (inner, width) = Self.layout(of: order[k], in: scope, ccards)
            // At most two clique tables and one index array live at a time (the memory plan allows four).
            var sum = potentials[k], maximum = potentials[k]
            for c in children[k] {
                let index = projection(from: scope, cardinalities: ccards, to: separators[c])
                sum.multiply(by: up[c], at: index)
                maximum.multiply(by: upMax[c], at: index)
            }
            up[k] = sum.summingOut(inner: inner, width: width, maximise: false)
            upMax[k] = maximum.summingOut(inner: inner, width: width, maximise: true)
        }
        var logZ = -constant
        for k in 0 ..< n where parent[k] < 0 { logZ += up[k].logValue(0) }
        guard logZ > -.infinity else { throw .zeroPartition }

        // Downward pass, parents before children; each clique gives the marginal of its own variable.
        var down = [ScaledTable](repeating: .one, count: n)
        var marginals = [[Double]](repeating: [], count: n)
        for k in stride(from: n - 1, through: 0, by: -1) {
            let scope = cliques[k], ccards = cardinalities(scope)
            var base = potentials[k]
            if parent[k] >= 0 { base.multiply(by: down[k], at: projection(from: scope, cardinalities: ccards, to: separators[k])) }
            // As upward: base, one more clique table and one index array at a time; index arrays are
            // recomputed rather than kept (one clique with many children would otherwise hold many).
            func index(_ c: Int) -> [Int] { projection(from: scope, cardinalities: ccards, to: separators[c]) }
            var full = base, last: [Int] = []
            for c in children[k] {
                last = index(c)
                full.multiply(by: up[c], at: last)
            }
            let (inner, width) = Self.layout(of: order[k], in: scope, ccards)
            let belief = full.marginal(inner: inner, width: width)
            full = .one
            let total = belief.reduce(0, +)
            marginals[order[k]] = total > 0 ? belief.map { $0 / total } : belief.map { _ in 1 / Double(belief.count) }
            for c in children[k] {
                var others = base
                for c2 in children[k] where c2 != c { others.multiply(by: up[c2], at: index(c2)) }
                down[c] = others.projected(to: children[k].count == 1 ? last : index(c), count: separators[c].reduce(1) { $0 * cards[$1] },
                                           maximise: false)
            }
        }

        // MAP by backtracking: every other member of clique k is decided before order[k].
        var labels = [Int](repeating: 0, count: n)
        for k in stride(from: n - 1, through: 0, by: -1) {
            let v = order[k]
            var bestLabel = 0, bestValue = -1.0
            for a in 0 ..< cards[v] {
                labels[v] = a
                var value = potentials[k].values[tableIndex(cliques[k], labels, cards)]
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

/// Entries in linear space times e^scale; the largest entry is 1 after each projection.
struct ScaledTable {
    var values: [Double]
    var scale: Double

    static let one = ScaledTable(values: [1], scale: 0)

    /// log of entry j including the scale (−∞ for a zero entry).
    func logValue(_ j: Int) -> Double { values[j] > 0 ? scale + Double.log(values[j]) : -.infinity }

    /// Multiplies entry j by `message.values[index[j]]` and adds the message's scale.
    mutating func multiply(by message: ScaledTable, at index: [Int]) {
        message.values.withUnsafeBufferPointer { m in
            index.withUnsafeBufferPointer { index in
                values.withUnsafeMutableBufferPointer { t in
                    for j in 0 ..< t.count { t[j] *= m[index[j]] }
                }
            }
        }
        scale += message.scale
    }

    /// Σ (or max) over the variable of stride `inner` and cardinality `width` (the table's entries are
    /// (outer, x, inner) row-major), renormalised to largest entry 1.
    func summingOut(inner: Int, width: Int, maximise: Bool) -> ScaledTable {
        let outer = values.count / (inner * width)
        var out = [Double](repeating: 0, count: outer * inner)
        out.withUnsafeMutableBufferPointer { o in
            values.withUnsafeBufferPointer { t in
                for a in 0 ..< outer {
                    let target = o.baseAddress! + a * inner
                    for x in 0 ..< width {
                        let source = t.baseAddress! + (a * width + x) * inner
                        if maximise {
                            for i in 0 ..< inner where source[i] > target[i] { target[i] = source[i] }
                        } else {
                            for i in 0 ..< inner { target[i] += source[i] }
                        }
                    }
                }
            }
        }
        return ScaledTable(values: out, scale: scale).renormalised()
    }

    /// Σ of the entries per label of the variable of stride `inner` and cardinality `width`.
    func marginal(inner: Int, width: Int) -> [Double] {
        let outer = values.count / (inner * width)
        var out = [Double](repeating: 0, count: width)
        values.withUnsafeBufferPointer { t in
            for a in 0 ..< outer {
                for x in 0 ..< width {
                    let source = t.baseAddress! + (a * width + x) * inner
                    var sum = 0.0
                    for i in 0 ..< inner { sum += source[i] }
                    out[x] += sum
                }
            }
        }
        return out
    }

    /// The same table with its largest entry 1 (unchanged when all zero).
    func renormalised() -> ScaledTable {
        let top = values.max() ?? 0
        guard top > 0, top.isFinite, top != 1 else { return self }
        let inverse = 1 / top
        return ScaledTable(values: values.map { $0 * inverse }, scale: scale + Double.log(top))
    }

    /// Σ (or max) of the entries with equal `index[j]`, renormalised to largest entry 1.
    func projected(to index: [Int], count: Int, maximise: Bool) -> ScaledTable {
        var out = [Double](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { o in
            index.withUnsafeBufferPointer { index in
                values.withUnsafeBufferPointer { t in
                    if maximise {
                        for j in 0 ..< t.count where t[j] > o[index[j]] { o[index[j]] = t[j] }
                    } else {
                        for j in 0 ..< t.count { o[index[j]] += t[j] }
                    }
                }
            }
        }
        let top = out.max() ?? 0
        guard top > 0, top.isFinite else { return ScaledTable(values: out, scale: scale) }
        let inverse = 1 / top
        for j in out.indices { out[j] *= inverse }
        return ScaledTable(values: out, scale: scale + Double.log(top))
    }
}

/// For every joint label of `cardinalities` (row-major, last fastest) the index Σ_t x_t·strides[t].
func projection(cardinalities original: [Int], strides originalStrides: [Int]) -> [Int] {
    let count = original.reduce(1, *)
    // Merge neighbouring dimensions that step together (both absent, or contiguous in the target),
    // so that the inner loop runs over as many entries as possible.
    var cardinalities: [Int] = [], strides: [Int] = []
    for t in original.indices.reversed() {
        if let d = cardinalities.first, let s = strides.first,
           (s == 0 && originalStrides[t] == 0) || (s != 0 && originalStrides[t] == s * d) {
            cardinalities[0] *= original[t]
            continue
        }
        cardinalities.insert(original[t], at: 0)
        strides.insert(originalStrides[t], at: 0)
    }
    var out = [Int](repeating: 0, count: count)
    guard let last = cardinalities.indices.last else { return out }
    var labels = [Int](repeating: 0, count: cardinalities.count)
    let (width, step) = (cardinalities[last], strides[last])
    out.withUnsafeMutableBufferPointer { o in
        var index = 0, k = 0
        while k < count {
            for a in 0 ..< width { o[k + a] = index + a * step }
            k += width
            var t = last - 1
            while t >= 0 {
                labels[t] += 1
                index += strides[t]
                if labels[t] < cardinalities[t] { break }
                index -= strides[t] * labels[t]
                labels[t] = 0
                t -= 1
            }
        }
    }
    return out
}

/// The index into a table over `subset` (sorted, row-major) of every joint label of `scope` (sorted).
func projection(from scope: [Int], cardinalities: [Int], to subset: [Int]) -> [Int] {
    var strides = [Int](repeating: 0, count: scope.count)
    var stride = 1
    for v in subset.reversed() {
        if let t = scope.firstIndex(of: v) { strides[t] = stride; stride *= cardinalities[t] }
    }
    return projection(cardinalities: cardinalities, strides: strides)
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
