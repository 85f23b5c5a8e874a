import RealModule

/// Shannon entropy H(p) = −Σ p log p in nats, with 0 log 0 = 0.
@inlinable
public func entropy<T: SimplexScalar>(_ p: some Sequence<T>) -> T {
    p.reduce(0) { $1 > 0 ? $0 - $1 * T.log($1) : $0 }
}

/// Kullback–Leibler divergence KL(p‖q) = Σ p log(p/q), with 0 log(0/q) = 0 and +∞ when some
/// p_λ > 0 has q_λ = 0. Both arguments must have the same length.
@inlinable
public func klDivergence<T: SimplexScalar>(_ p: [T], _ q: [T]) -> T {
    precondition(p.count == q.count, "KL divergence of rows of different lengths")
    return zip(p, q).reduce(0) { sum, pair in
        let (a, b) = pair
        if a == 0 { return sum }
        if b == 0 { return .infinity }
        return sum + a * T.log(a / b)
    }
}

/// Cross-entropy −Σ p log q = H(p) + KL(p‖q), with 0 log q = 0.
@inlinable
public func crossEntropy<T: SimplexScalar>(_ p: [T], _ q: [T]) -> T {
    precondition(p.count == q.count, "cross-entropy of rows of different lengths")
    return zip(p, q).reduce(0) { sum, pair in
        let (a, b) = pair
        if a == 0 { return sum }
        return b == 0 ? .infinity : sum - a * T.log(b)
    }
}

extension RowMatrix {
    /// H(u) = Σ_rows H(u_j): the entropy of the fully factorised distribution u.
    @inlinable
    public var entropy: Scalar {
        (0 ..< rows).reduce(0) { $0 + Simplex.entropy(storage[$1 * columns ..< ($1 + 1) * columns]) }
    }
}
