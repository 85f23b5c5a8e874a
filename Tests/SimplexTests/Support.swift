import Simplex

/// Is every row on the probability simplex (entries in [0, 1], sums within `tolerance` of 1)?
func isOnSimplex(_ row: [Double], tolerance: Double = 1e-12) -> Bool {
    row.allSatisfy { $0 >= 0 && $0 <= 1 && $0.isFinite } && abs(row.reduce(0, +) - 1) <= tolerance
}

/// Largest absolute entrywise difference.
func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

/// A random row with entries uniform on [−scale, scale].
func randomRow(_ d: Int, scale: Double = 1, using random: RandomSource) -> [Double] {
    (0 ..< d).map { _ in random.uniform(-scale, scale) }
}

/// A random point strictly inside the simplex.
func randomSimplexPoint(_ d: Int, using random: RandomSource) -> [Double] {
    let raw = (0 ..< d).map { _ in random.uniform(0.05, 1) }
    let total = raw.reduce(0, +)
    return raw.map { $0 / total }
}

/// Central finite-difference gradient of the scalar function f at x with step h.
func numericalGradient(_ f: ([Double]) -> Double, at x: [Double], step h: Double = 1e-6) -> [Double] {
    x.indices.map { i in
        var plus = x, minus = x
        plus[i] += h
        minus[i] -= h
        return (f(plus) - f(minus)) / (2 * h)
    }
}

func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
