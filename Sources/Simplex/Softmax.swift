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

/// Which matrix the softmax pullback multiplies by (docs/paper-notes.md §9).
public enum SoftmaxJacobian: String, Sendable, CaseIterable {
    /// The true Jacobian ∂s/∂x = β (diag(s) − s sᵀ) at s = softmax(βx).
    case exact
    /// The reference code's backward pass, β (I − s′s′ᵀ) with s′ = softmax(β·s): its authors' code
    /// applies softmax(β·) to the parameter, which at that point already holds the projected
    /// s = softmax(βx), so the matrix is built from a second softmax. Its comment says it "works
    /// slightly better" than the Jacobian. It is not the derivative of softmax, and agrees with
    /// `oneSoftmax` only once s is near a vertex (then s′ ≈ s).
    case reference
    /// β (I − s sᵀ) at s = softmax(βx) itself: the reference code's matrix with one softmax.
    case oneSoftmax = "onesoftmax"
}

/// Vector–Jacobian product of softmax(β·) at output `s` = softmax(βx): `out = Mᵀ v` for the matrix
/// M that `jacobian` names (each M is symmetric):
///
/// - exact: out_λ = β s_λ (v_λ − ⟨s, v⟩)
/// - reference: out_λ = β (v_λ − s′_λ ⟨s′, v⟩), s′ = softmax(β s) (computed here, with `softmax`)
/// - oneSoftmax: out_λ = β (v_λ − s_λ ⟨s, v⟩)
///
/// `out` may alias `v`.
@inlinable
public func softmaxPullback<T: SimplexScalar>(
    output s: UnsafeBufferPointer<T>, upstream v: UnsafeBufferPointer<T>, beta: T,
    jacobian: SoftmaxJacobian = .exact, into out: UnsafeMutableBufferPointer<T>
) {
    switch jacobian {
    case .exact:
        var dot: T = 0
        for i in 0 ..< s.count { dot += s[i] * v[i] }
        for i in 0 ..< s.count { out[i] = beta * s[i] * (v[i] - dot) }
    case .oneSoftmax:
        identityMinusOuterPullback(s, upstream: v, beta: beta, into: out)
    case .reference:
        withUnsafeTemporaryAllocation(of: T.self, capacity: s.count) { second in
            softmax(s, beta: beta, into: second)
            identityMinusOuterPullback(UnsafeBufferPointer(second), upstream: v, beta: beta, into: out)
        }
    }
}

/// out_λ = β (v_λ − p_λ ⟨p, v⟩), i.e. β (I − p pᵀ) v; `out` may alias `v`.
@inlinable
func identityMinusOuterPullback<T: SimplexScalar>(_ p: UnsafeBufferPointer<T>, upstream v: UnsafeBufferPointer<T>, beta: T,
                                                  into out: UnsafeMutableBufferPointer<T>) {
    var dot: T = 0
    for i in 0 ..< p.count { dot += p[i] * v[i] }
    for i in 0 ..< p.count { out[i] = beta * (v[i] - p[i] * dot) }
}
