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

    /// Compiles a graph (O(size of the factors)).
    public init(_ graph: FactorGraph) {
        self.graph = graph
        let n = graph.variableCount
        cardinalities = graph.cardinalities
        var offsets = [0]
        for d in cardinalities { offsets.append(offsets.last! + d) }
        self.offsets = offsets
        maxCardinality = cardinalities.max() ?? 1

        var unaryRows = [Double](repeating: 0, count: offsets[n])
        var constant = 0.0
        var pairTables: [Pair: [Double]] = [:]
        var higherOrder: [Factor] = []
        for factor in graph.factors {
            switch factor.scope.count {
            case 0: constant += factor.energies[0]
            case 1:
                for a in 0 ..< factor.energies.count { unaryRows[offsets[factor.scope[0]] + a] += factor.energies[a] }
            case 2:
                let (i, j) = (factor.scope[0], factor.scope[1])
                let pair = Pair(low: min(i, j), high: max(i, j))
                let (dLow, dHigh) = (cardinalities[pair.low], cardinalities[pair.high])
                var table = pairTables[pair] ?? [Double](repeating: 0, count: dLow * dHigh)
                for a in 0 ..< factor.cardinalities[0] {
                    for b in 0 ..< factor.cardinalities[1] {
                        let value = factor.energies[a * factor.cardinalities[1] + b]
                        table[i < j ? a * dHigh + b : b * dHigh + a] += value
                    }
                }
                pairTables[pair] = table
            default: higherOrder.append(factor)
            }
        }
        self.constant = constant
        self.higherOrder = higherOrder
        var higherOrderOf = [[Int]](repeating: [], count: n)
        for (f, factor) in higherOrder.enumerated() { for v in factor.scope { higherOrderOf[v].append(f) } }
        self.higherOrderOf = higherOrderOf

        // CSR: each undirected pair becomes two directed entries, neighbours in increasing order.
        var lists = [[Int]](repeating: [], count: n)
        for pair in pairTables.keys {
            lists[pair.low].append(pair.high)
            lists[pair.high].append(pair.low)
        }
        for i in 0 ..< n { lists[i].sort() }
        var start = [0], neighbors: [Int] = [], tableStarts: [Int] = [], flat: [Double] = []
        for i in 0 ..< n {
            for j in lists[i] {
                neighbors.append(j)
                tableStarts.append(flat.count)
                let table = pairTables[Pair(low: min(i, j), high: max(i, j))]!
                let (di, dj) = (cardinalities[i], cardinalities[j])
                for a in 0 ..< di {
                    for b in 0 ..< dj { flat.append(i < j ? table[a * dj + b] : table[b * di + a]) }
                }
            }
            start.append(neighbors.count)
        }
        var reverseEntries = [Int](repeating: 0, count: neighbors.count)
        for i in 0 ..< n {
            for e in start[i] ..< start[i + 1] {
                let j = neighbors[e]
                // Binary search for i in j's sorted list.
                var (lo, hi) = (start[j], start[j + 1])
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if neighbors[mid] < i { lo = mid + 1 } else { hi = mid }
                }
                reverseEntries[e] = lo
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

    private struct Pair: Hashable { let low: Int; let high: Int }
}

extension UnsafeMutableBufferPointer {
    /// A freshly allocated buffer holding a copy of `array` (the caller deallocates it).
    static func copy(_ array: [Element]) -> UnsafeMutableBufferPointer<Element> {
        let buffer = UnsafeMutableBufferPointer<Element>.allocate(capacity: Swift.max(array.count, 1))
        _ = buffer.initialize(from: array)
        return UnsafeMutableBufferPointer(rebasing: buffer[0 ..< array.count])
    }
}
