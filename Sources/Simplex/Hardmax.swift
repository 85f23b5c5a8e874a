/// Row-wise hardmax: the simplex vertex (one-hot row) at the largest entry of x.
///
/// Tie rule: among equal maxima the *lowest index* wins (for sorted levels, the smallest level), so
/// the result is deterministic. This is softmax's limit as β → ∞ away from ties.
///
/// - Precondition: no NaN in `x`; `out.count == x.count ≥ 1`; `out` may alias `x`.
@inlinable
public func hardmax<T: SimplexScalar>(_ x: UnsafeBufferPointer<T>, into out: UnsafeMutableBufferPointer<T>) {
    let winner = argmax(x)
    for i in 0 ..< x.count { out[i] = i == winner ? 1 : 0 }
}

/// Index of the largest entry, the lowest index among ties.
@inlinable
public func argmax<T: Comparable>(_ x: UnsafeBufferPointer<T>) -> Int {
    var best = 0
    for i in 1 ..< x.count where x[i] > x[best] { best = i }
    return best
}

/// The straight-through pullback of hardmax for binary levels (docs/paper-notes.md §5, supp. Eq. 40).
///
/// Hardmax of a two-entry row is written through sign: u₋₁ = (sign(ũ₋₁ − ũ₁) + 1)/2, and the
/// straight-through rule ∂sign(r)/∂r := 1[|r| ≤ 1] gives ∂u/∂ũ = ½ [[I, −I], [−I, I]] with
/// I = 1[|ũ₋₁ − ũ₁| ≤ 1]. This is the exact derivative of the surrogate
/// u₋₁ = (clamp(ũ₋₁ − ũ₁, −1, 1) + 1)/2, which is how it is tested.
///
/// - Precondition: rows of exactly two entries; `out` may alias `v`.
@inlinable
public func hardmaxStraightThroughPullback<T: SimplexScalar>(
    input x: UnsafeBufferPointer<T>, upstream v: UnsafeBufferPointer<T>, into out: UnsafeMutableBufferPointer<T>
) {
    precondition(x.count == 2, "the straight-through hardmax rule (supp. Eq. 40) is defined for binary levels only")
    let pass: T = abs(x[0] - x[1]) <= 1 ? 1 : 0
    let half = pass * (v[0] - v[1]) / 2
    out[0] = half
    out[1] = -half
}
