/// Row-wise sparsemax: the Euclidean projection of β x onto the simplex,
/// argmin_{z ∈ Δ} ‖z − β x‖².
///
/// The solution is z_λ = max(β x_λ − τ, 0) with the threshold τ chosen so that Σ z = 1; τ is found
/// by sorting (O(d log d)): with z₍₁₎ ≥ z₍₂₎ ≥ …, the support size is the largest k with
/// 1 + k z₍ₖ₎ > Σ_{j≤k} z₍ⱼ₎, and τ = (Σ_{j≤k} z₍ⱼ₎ − 1)/k. The input is shifted by its maximum
/// first (the projection is shift-invariant), so large β and inputs do not overflow.
/// With β = 1 this is the plain projected-gradient projection.
///
/// - Precondition: β > 0 and finite; no NaN in `x`; `out.count == x.count ≥ 1`; `out` may alias `x`.
@inlinable
public func sparsemax<T: SimplexScalar>(_ x: UnsafeBufferPointer<T>, beta: T, into out: UnsafeMutableBufferPointer<T>) {
    let d = x.count
    var top = x[0]
    for i in 1 ..< d where x[i] > top { top = x[i] }
    withUnsafeTemporaryAllocation(of: T.self, capacity: d) { buffer in
        var sorted = buffer
        for i in 0 ..< d {
            let z = beta * (x[i] - top)
            sorted[i] = z
            out[i] = z
        }
        sorted.sort(by: >)
        var cumulative: T = 0
        var supportSum: T = 0
        var support = 0
        for k in 0 ..< d {
            cumulative += sorted[k]
            if 1 + T(k + 1) * sorted[k] > cumulative {
                support = k + 1
                supportSum = cumulative
            }
        }
        let tau = (supportSum - 1) / T(support)
        for i in 0 ..< d { out[i] = max(out[i] - tau, 0) }
    }
}

/// Vector–Jacobian product of sparsemax(β·) at output `z`: with S the support {λ : z_λ > 0},
/// J = β (diag(1_S) − 1_S 1_Sᵀ / |S|), so out_λ = β (v_λ − mean_{μ∈S} v_μ) on S and 0 elsewhere.
/// (Where an entry sits exactly at the threshold the projection is not differentiable; this takes
/// the one-sided derivative that excludes it.) `out` may alias `v`.
@inlinable
public func sparsemaxPullback<T: SimplexScalar>(
    output z: UnsafeBufferPointer<T>, upstream v: UnsafeBufferPointer<T>, beta: T,
    into out: UnsafeMutableBufferPointer<T>
) {
    var sum: T = 0
    var size = 0
    for i in 0 ..< z.count where z[i] > 0 {
        sum += v[i]
        size += 1
    }
    let mean = sum / T(size)
    for i in 0 ..< z.count { out[i] = z[i] > 0 ? beta * (v[i] - mean) : 0 }
}
