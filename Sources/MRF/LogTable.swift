import RealModule

/// A table of log-potentials log ψ(x) = −θ(x) over a sorted scope, the working object of variable
/// elimination: row-major with the last (largest-index) variable fastest. −∞ encodes ψ = 0.
struct LogTable {
    /// Variables, strictly increasing.
    var scope: [Int]
    /// Their cardinalities.
    var cardinalities: [Int]
    /// log ψ for every joint label of the scope.
    var values: [Double]

    /// The constant table log ψ = 0 over no variables.
    static let one = LogTable(scope: [], cardinalities: [], values: [0])

    /// −θ of a factor, reordered so that the scope is sorted.
    init(_ factor: Factor) {
        let order = factor.scope.indices.sorted { factor.scope[$0] < factor.scope[$1] }
        scope = order.map { factor.scope[$0] }
        cardinalities = order.map { factor.cardinalities[$0] }
        let sourceStrides = factor.strides
        let strides = order.map { sourceStrides[$0] }
        values = Self.gather(count: factor.energies.count, cardinalities: cardinalities, strides: strides) { -factor.energies[$0] }
    }

    init(scope: [Int], cardinalities: [Int], values: [Double]) {
        self.scope = scope
        self.cardinalities = cardinalities
        self.values = values
    }

    /// Visits every joint label of `cardinalities` in row-major order and reads `source` at the
    /// index Σ_t x_t·strides_t (a stride of 0 broadcasts a missing variable).
    static func gather(count: Int, cardinalities: [Int], strides: [Int], _ source: (Int) -> Double) -> [Double] {
        var out = [Double](repeating: 0, count: count)
        var labels = [Int](repeating: 0, count: cardinalities.count)
        var index = 0
        for k in 0 ..< count {
            out[k] = source(index)
            var t = cardinalities.count - 1
            while t >= 0 {
                labels[t] += 1
                index += strides[t]
                if labels[t] < cardinalities[t] { break }
                index -= strides[t] * labels[t]
                labels[t] = 0
                t -= 1
            }
        }
        return out
    }

    /// Row-major strides of this table.
    var strides: [Int] {
        var strides = [Int](repeating: 1, count: scope.count)
        for t in stride(from: scope.count - 2, through: 0, by: -1) { strides[t] = strides[t + 1] * cardinalities[t + 1] }
        return strides
    }

    /// Σ of `tables` (a product of potentials) expanded over `scope` (sorted, a superset of each).
    static func sum(_ tables: [LogTable], over scope: [Int], cardinalities: [Int]) -> LogTable {
        let count = cardinalities.reduce(1, *)
        var values = [Double](repeating: 0, count: count)
        for table in tables {
            let own = table.strides
            let strides = scope.map { v in table.scope.firstIndex(of: v).map { own[$0] } ?? 0 }
            let expanded = gather(count: count, cardinalities: cardinalities, strides: strides) { table.values[$0] }
            for k in 0 ..< count { values[k] += expanded[k] }
        }
        return LogTable(scope: scope, cardinalities: cardinalities, values: values)
    }

    /// Sums (log-sum-exp) or maximises out one variable of the scope.
    func eliminating(_ variable: Int, maximise: Bool) -> LogTable {
        guard let t = scope.firstIndex(of: variable) else { return self }
        let inner = strides[t], d = cardinalities[t]
        let outer = values.count / (inner * d)
        var out = [Double](repeating: 0, count: outer * inner)
        for o in 0 ..< outer {
            for i in 0 ..< inner {
                let base = o * d * inner + i
                var top = -Double.infinity
                for x in 0 ..< d { top = max(top, values[base + x * inner]) }
                if maximise || top == -.infinity || top == .infinity {
                    out[o * inner + i] = top
                    continue
                }
                var sum = 0.0
                for x in 0 ..< d { sum += Double.exp(values[base + x * inner] - top) }
                out[o * inner + i] = top + Double.log(sum)
            }
        }
        var scope = scope, cardinalities = cardinalities
        scope.remove(at: t)
        cardinalities.remove(at: t)
        return LogTable(scope: scope, cardinalities: cardinalities, values: out)
    }

    /// Sums or maximises out every variable not in `keep`.
    func restricted(to keep: Set<Int>, maximise: Bool) -> LogTable {
        scope.filter { !keep.contains($0) }.reduce(self) { $0.eliminating($1, maximise: maximise) }
    }

    /// The entry at a labelling of the whole graph (indexed by variable).
    func value(at labels: [Int]) -> Double {
        var index = 0
        for t in scope.indices { index = index * cardinalities[t] + labels[scope[t]] }
        return values[index]
    }
}

/// log Σ exp(x) computed stably; −∞ for an empty or all −∞ input.
func logSumExp(_ x: [Double]) -> Double {
    let top = x.max() ?? -.infinity
    guard top.isFinite else { return top }
    return top + Double.log(x.reduce(0) { $0 + Double.exp($1 - top) })
}
