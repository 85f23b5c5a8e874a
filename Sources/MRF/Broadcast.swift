/// How a table over a scope (row-major, last variable fastest) lines up with a table over part of
/// it: entry j = (x₀, …, x_{m−1}) of the large table meets entry Σ_t x_t·strides[t] of the small one
/// (stride 0 for a variable the small table lacks).
///
/// Neighbouring dimensions that step together (both absent, or contiguous in the small table) are
/// merged, and the large table is walked in *runs*: the innermost merged dimension, along which the
/// small table's index advances by a constant `step` (0: one small entry for the whole run; 1:
/// both contiguous). A kernel then does a plain loop per run — no index array is built, and the
/// contiguous cases vectorise.
struct Broadcast {
    /// Entries of the large table.
    let count: Int
    /// Length of a run and the small table's stride along it.
    let run: Int, step: Int
    /// The merged outer dimensions (all but the innermost): cardinalities and small-table strides.
    private let outer: [Int], outerStrides: [Int]

    /// The alignment of a table over `cardinalities` with a small table of `strides`.
    init(cardinalities: [Int], strides: [Int]) {
        var cards: [Int] = [], steps: [Int] = []
        for t in cardinalities.indices.reversed() {
            if let d = cards.last, let s = steps.last, (s == 0 && strides[t] == 0) || (s != 0 && strides[t] == s * d) {
                cards[cards.count - 1] *= cardinalities[t]
                continue
            }
            cards.append(cardinalities[t])
            steps.append(strides[t])
        }
        count = cardinalities.reduce(1, *)
        run = cards.first ?? 1
        step = steps.first ?? 0
        outer = Array(cards.dropFirst().reversed())
        outerStrides = Array(steps.dropFirst().reversed())
    }

    /// The alignment of a table over the sorted `scope` with a table over the sorted `subset` ⊆ scope.
    init(scope: [Int], cardinalities: [Int], subset: [Int]) {
        var strides = [Int](repeating: 0, count: scope.count)
        var stride = 1
        for v in subset.reversed() {
            if let t = scope.firstIndex(of: v) { strides[t] = stride; stride *= cardinalities[t] }
        }
        self.init(cardinalities: cardinalities, strides: strides)
    }

    /// Calls `body(j, i)` with the large table's offset j and the small table's offset i at the
    /// start of every run, in increasing j.
    @inline(__always)
    func forEachRun(_ body: (Int, Int) -> Void) {
        var labels = [Int](repeating: 0, count: outer.count)
        var small = 0
        for j in stride(from: 0, to: count, by: run) {
            body(j, small)
            var t = outer.count - 1
            while t >= 0 {
                labels[t] += 1
                small += outerStrides[t]
                if labels[t] < outer[t] { break }
                small -= outerStrides[t] * labels[t]
                labels[t] = 0
                t -= 1
            }
        }
    }

    /// table[j] ← combine(table[j], small[index(j)]) for every entry of the large table.
    @inline(__always)
    func apply(_ table: UnsafeMutablePointer<Double>, _ small: UnsafePointer<Double>, _ combine: (Double, Double) -> Double) {
        let (run, step) = (run, step)
        forEachRun { j, i in
            let t = table + j
            if step == 0 {
                let x = small[i]
                for a in 0 ..< run { t[a] = combine(t[a], x) }
            } else if step == 1 {
                let s = small + i
                for a in 0 ..< run { t[a] = combine(t[a], s[a]) }
            } else {
                for a in 0 ..< run { t[a] = combine(t[a], small[i + a * step]) }
            }
        }
    }

    /// small[index(j)] ← combine(small[index(j)], table[j]) for every entry of the large table, in increasing j.
    @inline(__always)
    func reduce(_ table: UnsafePointer<Double>, into small: UnsafeMutablePointer<Double>, _ combine: (Double, Double) -> Double) {
        let (run, step) = (run, step)
        forEachRun { j, i in
            let t = table + j
            if step == 0 {
                var x = small[i]
                for a in 0 ..< run { x = combine(x, t[a]) }
                small[i] = x
            } else {
                for a in 0 ..< run { small[i + a * step] = combine(small[i + a * step], t[a]) }
            }
        }
    }
}
