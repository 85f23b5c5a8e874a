/// A `FactorGraph` laid out for fast sweeps: every variable's unary energies summed into one row,
/// every pair's pairwise factors summed into one table, stored in CSR adjacency with one oriented
/// table per *directed* edge, and factors of three or more variables kept aside.
///
/// Rows of a relaxed labelling u are concatenated: variable i owns entries
/// `offsets[i] ..< offsets[i + 1]` (d_i of them). For CSR entry e of variable i (e in
/// `adjacencyStart[i] ..< adjacencyStart[i + 1]`), `neighbor[e]` is j, `reverse[e]` is the entry of
/// i in j's list, and the d_i×d_j table θ_ij(a, b) sits row-major at `tableStart[e]` — so the
/// mean-field gradient Σ_b θ_ij(a, b) u_j(b) and the BP message products read contiguous memory.
/// Immutable after construction (hence `Sendable`); the buffers are owned and freed by the object.
public final class CompiledGraph: @unchecked Sendable {
    /// The model this was compiled from.
    public let graph: FactorGraph
    /// d_i.
    public let cardinalities: [Int]
    /// Row offsets into a concatenated u; `offsets[n]` is the total length Σ d_i.
    public let offsets: [Int]
    /// max_i d_i.
    public let maxCardinality: Int
    /// Σ of all constant (empty-scope) factors.
    public let constant: Double
    /// Factors over three or more variables.
    public let higherOrder: [Factor]
    /// For each variable, the indices into `higherOrder` of the factors that contain it.
    public let higherOrderOf: [[Int]]

    let unary: UnsafeMutableBufferPointer<Double>
    let adjacencyStart: UnsafeMutableBufferPointer<Int>
    let neighbor: UnsafeMutableBufferPointer<Int>
    let reverse: UnsafeMutableBufferPointer<Int>
    let tableStart: UnsafeMutableBufferPointer<Int>
    let tables: UnsafeMutableBufferPointer<Double>
    let offsetBuffer: UnsafeMutableBufferPointer<Int>

    /// Compiles a graph in O(size of the factors + n): the pairwise factors are bucketed by their
    /// lower variable, ordered by the higher one within a bucket, and the tables of factors on the
    /// same pair summed in the graph's factor order.
    public init(_ graph: FactorGraph) {
        self.graph = graph
        let n = graph.variableCount
        cardinalities = graph.cardinalities
        var offsets = [Int](repeating: 0, count: n + 1)
        for i in 0 ..< n { offsets[i + 1] = offsets[i] + cardinalities[i] }
        self.offsets = offsets
        maxCardinality = cardinalities.max() ?? 1

        var unaryRows = [Double](repeating: 0, count: offsets[n])
        var constant = 0.0
        var higherOrder: [Factor] = []
        var pairwise: [Int] = []  // indices of the two-variable factors
        var bucketStart = [Int](repeating: 0, count: n + 1)  // counts, then starts, of factors per lower variable
        for (f, factor) in graph.factors.enumerated() {
            switch factor.scope.count {
            case 0: constant += factor.energies[0]
            case 1:
                for a in 0 ..< factor.energies.count { unaryRows[offsets[factor.scope[0]] + a] += factor.energies[a] }
            case 2:
                pairwise.append(f)
                bucketStart[min(factor.scope[0], factor.scope[1]) + 1] += 1
            default: higherOrder.append(factor)
            }
        }
        self.constant = constant
        self.higherOrder = higherOrder
        var higherOrderOf = [[Int]](repeating: [], count: n)
        for (f, factor) in higherOrder.enumerated() { for v in factor.scope { higherOrderOf[v].append(f) } }
        self.higherOrderOf = higherOrderOf

        // Pairwise factors as (higher variable, factor) in buckets by the lower variable, each
        // bucket sorted: equal pairs become adjacent, in factor order.
        for i in 0 ..< n { bucketStart[i + 1] += bucketStart[i] }
        var bucket = [(high: Int, factor: Int)](repeating: (0, 0), count: pairwise.count)
        var fill = bucketStart
        for f in pairwise {
            let scope = graph.factors[f].scope
            let low = min(scope[0], scope[1])
            bucket[fill[low]] = (max(scope[0], scope[1]), f)
            fill[low] += 1
        }
        // The distinct pairs in (low, high) order, each table d_low×d_high summed over its factors.
        var pairLow: [Int] = [], pairHigh: [Int] = [], pairTable: [Int] = [], summed: [Double] = []
        var degree = [Int](repeating: 0, count: n)
        for low in 0 ..< n {
            bucket[bucketStart[low] ..< bucketStart[low + 1]].sort { ($0.high, $0.factor) < ($1.high, $1.factor) }
            for k in bucketStart[low] ..< bucketStart[low + 1] {
                let (high, f) = bucket[k], factor = graph.factors[f]
                let dHigh = cardinalities[high]
                if pairLow.last != low || pairHigh.last != high {  // a new pair
                    pairLow.append(low)
                    pairHigh.append(high)
                    pairTable.append(summed.count)
                    summed.append(contentsOf: repeatElement(0, count: cardinalities[low] * dHigh))
                    degree[low] += 1
                    degree[high] += 1
                }
                let table = pairTable[pairTable.count - 1], lowFirst = factor.scope[0] == low
                for a in 0 ..< factor.cardinalities[0] {
                    for b in 0 ..< factor.cardinalities[1] {
                        summed[table + (lowFirst ? a * dHigh + b : b * dHigh + a)] += factor.energies[a * factor.cardinalities[1] + b]
                    }
                }
            }
        }

        // CSR: each pair becomes two directed entries. Pairs come in increasing (low, high), so
        // filling each variable's list in that order puts its lower neighbours (as the pair's high
        // end) before its higher ones, both increasing.
        var start = [Int](repeating: 0, count: n + 1)
        for i in 0 ..< n { start[i + 1] = start[i] + degree[i] }
        let entries = start[n]
        var neighbors = [Int](repeating: 0, count: entries), reverseEntries = [Int](repeating: 0, count: entries)
        var pairOf = [Int](repeating: 0, count: entries)
        var next = start
        for p in pairLow.indices {
            let (low, high) = (pairLow[p], pairHigh[p])
            let (forward, backward) = (next[low], next[high])
            (neighbors[forward], neighbors[backward]) = (high, low)
            (reverseEntries[forward], reverseEntries[backward]) = (backward, forward)
            (pairOf[forward], pairOf[backward]) = (p, p)
            next[low] += 1
            next[high] += 1
        }
        var tableStarts = [Int](repeating: 0, count: entries), flat: [Double] = []
        for i in 0 ..< n {
            for e in start[i] ..< start[i + 1] {
                let j = neighbors[e], table = pairTable[pairOf[e]]
                let (di, dj) = (cardinalities[i], cardinalities[j])
                tableStarts[e] = flat.count
                for a in 0 ..< di {
                    for b in 0 ..< dj { flat.append(i < j ? summed[table + a * dj + b] : summed[table + b * di + a]) }
                }
            }
        }
        unary = .copy(unaryRows)
        adjacencyStart = .copy(start)
        neighbor = .copy(neighbors)
        reverse = .copy(reverseEntries)
        tableStart = .copy(tableStarts)
        tables = .copy(flat)
        offsetBuffer = .copy(offsets)
    }

    deinit {
        for buffer in [adjacencyStart, neighbor, reverse, tableStart, offsetBuffer] { buffer.deallocate() }
        unary.deallocate()
        tables.deallocate()
    }

    /// Number of variables.
    public var variableCount: Int { cardinalities.count }
    /// Number of undirected pairwise edges (after merging factors on the same pair).
    public var edgeCount: Int { neighbor.count / 2 }
    /// Whether the model has no factors over three or more variables.
    public var isPairwise: Bool { higherOrder.isEmpty }
    /// The neighbours of variable i in the pairwise part, increasing.
    public func neighbors(of i: Int) -> [Int] { Array(neighbor[adjacencyStart[i] ..< adjacencyStart[i + 1]]) }
    /// θ_i(a) summed over unary factors.
    public func unaryEnergies(of i: Int) -> [Double] { Array(unary[offsets[i] ..< offsets[i + 1]]) }

    /// E(x), computed from the compiled layout (equal to `graph.energy(of:)` up to rounding).
    public func energy(of labels: [Int]) -> Double {
        var total = constant
        for i in 0 ..< variableCount {
            total += unary[offsets[i] + labels[i]]
            for e in adjacencyStart[i] ..< adjacencyStart[i + 1] where neighbor[e] > i {
                let j = neighbor[e]
                total += tables[tableStart[e] + labels[i] * cardinalities[j] + labels[j]]
            }
        }
        for factor in higherOrder { total += factor.energy(at: labels) }
        return total
    }

}

extension UnsafeMutableBufferPointer {
    /// A freshly allocated buffer holding a copy of `array` (the caller deallocates it).
    static func copy(_ array: [Element]) -> UnsafeMutableBufferPointer<Element> {
        let buffer = UnsafeMutableBufferPointer<Element>.allocate(capacity: Swift.max(array.count, 1))
        _ = buffer.initialize(from: array)
        return UnsafeMutableBufferPointer(rebasing: buffer[0 ..< array.count])
    }
}
