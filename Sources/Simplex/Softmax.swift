import RealModule

/// Row-wise softmax with inverse temperature β: s_λ = exp(β x_λ) / Σ_μ exp(β x_μ).
///
/// By Lemma 2.1 this is argmax over the simplex of ⟨x, z⟩ + H(z)/β, a "noisy" projection that tends
/// to `hardmax` as β → ∞. It is computed as exp(β (x_λ − max x)), so every exponent is ≤ 0: β up to
/// 1e8 with inputs up to ±1e30 neither overflows nor yields NaN, and entries far below the maximum
/// become exactly 0 (an exact one-hot row in the limit). Ties at the maximum share the mass.
///
/// - Precondition: β > 0 and finite; `x` holds no NaN; `out.count == x.count ≥ 1`.
///   `out` may be the same memory as `x` (in-place).
@inlinable
public func softmax<T: SimplexScalar>(_ x: UnsafeBufferPointer<T>, beta: T, into out: UnsafeMutableBufferPointer<T>) {
    let d = x.count
    var top = x[0]
    for i in 1 ..< d where x[i] > top { top = x[i] }
    var sum: T = 0
    for i in 0 ..< d {
        let e = T.exp(beta * (x[i] - top))
        out[i] = e
        sum += e
    }
    let scale = 1 / sum
    for i in 0 ..< d { out[i] *= scale }
}

/// Which matrix the softmax pullback multiplies by.
public enum SoftmaxJacobian: String, Sendable, CaseIterable {
    /// The true Jacobian ∂s/∂x = β (diag(s) − s sᵀ).
    case exact
    /// The reference code's β (I − s sᵀ), which its authors found to "work slightly better"
    /// (docs/paper-notes.md §9). It is not the derivative of softmax.
    case reference
}

/// Vector–Jacobian product of softmax(β·) at output `s`: `out = Jᵀ v`.
///
/// - exact: out_λ = β s_λ (v_λ − ⟨s, v⟩)
/// - reference: out_λ = β (v_λ − s_λ ⟨s, v⟩)
///
/// `out` may alias `v`.
@inlinable
public func softmaxPullback<T: SimplexScalar>(
    output s: UnsafeBufferPointer<T>, upstream v: UnsafeBufferPointer<T>, beta: T,
    jacobian: SoftmaxJacobian = .exact, into out: UnsafeMutableBufferPointer<T>
) {
    var dot: T = 0
    for i in 0 ..< s.count { dot += s[i] * v[i] }
    switch jacobian {
    case .exact:
        for i in 0 ..< s.count { out[i] = beta * s[i] * (v[i] - dot) }
    case .reference:
        for i in 0 ..< s.count { out[i] = beta * (v[i] - s[i] * dot) }
    }
}
