import CKernels

/// Fast paths for the commonest case, binary levels in `Float` (two columns per row), eight or
/// sixteen rows at a time, a last partial group through a zero-padded copy. They compute the same formulas as the generic row functions — for softmax,
/// e = exp(−|z|) with z = β(x₁ − x₀), then 1/(1+e) and e/(1+e) — with `ck_negative_exp8` in place
/// of `expf`, so results agree with the generic path to a few ulp.
@usableFromInline
enum BinaryRows {
    /// For every row j of x (two entries per row), z_j = β(x_j1 − x_j0) → (u_j0, u_j1) by softmax
    /// or sparsemax, and w_j = u_j0 q₀ + u_j1 q₁: `ck_binary_lift16` (C, sixteen rows per pass),
    /// the last rows through a zero-padded copy of sixteen.
    @inlinable
    static func lift(_ x: UnsafePointer<Float>, _ u: UnsafeMutablePointer<Float>, _ w: UnsafeMutablePointer<Float>,
                     rows: Int, beta: Float, q0: Float, q1: Float, sparsemax: Bool) {
        let full = rows / 16 * 16, flag: Int32 = sparsemax ? 1 : 0
        ck_binary_lift16(x, u, w, full, beta, q0, q1, flag)
        guard full < rows else { return }
        let valid = rows - full
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 80) { buffer in
            let (xs, us, ws) = (buffer.baseAddress!, buffer.baseAddress! + 32, buffer.baseAddress! + 64)
            xs.initialize(repeating: 0, count: 80)
            xs.update(from: x + 2 * full, count: 2 * valid)
            ck_binary_lift16(xs, us, ws, 16, beta, q0, q1, flag)
            (u + 2 * full).update(from: us, count: 2 * valid)
            (w + full).update(from: ws, count: valid)
        }
    }

    /// softmax(βx) per row and w = u₀q₀ + u₁q₁: e = exp(−|z|), the larger entry 1/(1+e), the
    /// smaller e/(1+e) (`ck_softmax_split8`).
    @inlinable
    static func softmaxLift(_ x: UnsafePointer<Float>, _ u: UnsafeMutablePointer<Float>, _ w: UnsafeMutablePointer<Float>,
                            rows: Int, beta: Float, q0: Float, q1: Float) {
        lift(x, u, w, rows: rows, beta: beta, q0: q0, q1: q1, sparsemax: false)
    }

    /// sparsemax(βx) per row — (1 − s, s) with s = clamp((β(x₁ − x₀) + 1)/2, 0, 1) — and w.
    @inlinable
    static func sparsemaxLift(_ x: UnsafePointer<Float>, _ u: UnsafeMutablePointer<Float>, _ w: UnsafeMutablePointer<Float>,
                              rows: Int, beta: Float, q0: Float, q1: Float) {
        lift(x, u, w, rows: rows, beta: beta, q0: q0, q1: q1, sparsemax: true)
    }

    /// The pullback of w = softmax(βx)·q to x given g = ∂L/∂w (so ∂L/∂u = g q), u = softmax(βx):
    /// exact out_λ = β s_λ g (q_λ − w); oneSoftmax out_λ = β g (q_λ − s_λ w); reference the same at
    /// s′ = softmax(β·u) and w′ = ⟨s′, q⟩; eight rows at a time in `ck_softmax_pullback8`. w is
    /// formed again from u as the lift forms it.
    @inlinable
    static func softmaxPullback(_ u: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                rows: Int, beta: Float, q0: Float, q1: Float, jacobian: SoftmaxJacobian) {
        let flag = switch jacobian {
        case .exact: Int32(CK_JACOBIAN_EXACT)
        case .reference: Int32(CK_JACOBIAN_REFERENCE)
        case .oneSoftmax: Int32(CK_JACOBIAN_ONE_SOFTMAX)
        }
        let full = rows / 8 * 8
        ck_softmax_pullback8(u, g, out, full, beta, q0, q1, flag)
        guard full < rows else { return }
        let valid = rows - full
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 40) { buffer in
            let (us, gs, outs) = (buffer.baseAddress!, buffer.baseAddress! + 16, buffer.baseAddress! + 24)
            us.initialize(repeating: 0, count: 40)
            us.update(from: u + 2 * full, count: 2 * valid)
            gs.update(from: g + full, count: valid)
            ck_softmax_pullback8(us, gs, outs, 8, beta, q0, q1, flag)
            (out + 2 * full).update(from: outs, count: 2 * valid)
        }
    }

    /// The pullback of w = sparsemax(βx)·q: β g (q₀ − q₁)/2 · (1, −1) inside the simplex, 0 at a
    /// vertex (`ck_sparsemax_pullback`).
    @inlinable
    static func sparsemaxPullback(_ u: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                  rows: Int, beta: Float, q0: Float, q1: Float) {
        ck_sparsemax_pullback(u, g, out, rows, beta * (q0 - q1) / 2)
    }

    /// hardmax per row — (1, 0) unless x₁ > x₀ (the lowest index wins a tie) — and w = u₀q₀ + u₁q₁
    /// summed as the generic lift sums it, so the same bits.
    @inlinable
    static func hardmaxLift(_ x: UnsafePointer<Float>, _ u: UnsafeMutablePointer<Float>, _ w: UnsafeMutablePointer<Float>,
                            rows: Int, q0: Float, q1: Float) {
        for j in 0 ..< rows {
            let second: Float = x[2 * j + 1] > x[2 * j] ? 1 : 0, first = 1 - second
            u[2 * j] = first
            u[2 * j + 1] = second
            w[j] = (0 + first * q0) + second * q1
        }
    }

    /// The straight-through pullback of w = hardmax(x)·q (supp. Eq. 40) given g = ∂L/∂w:
    /// v = (g q₀, g q₁), out = (h, −h) with h = 1[|x₀ − x₁| ≤ 1]·(v₀ − v₁)/2, as the generic rule
    /// computes it.
    @inlinable
    static func hardmaxPullback(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                rows: Int, q0: Float, q1: Float) {
        for j in 0 ..< rows {
            let pass: Float = abs(x[2 * j] - x[2 * j + 1]) <= 1 ? 1 : 0
            let half = pass * (g[j] * q0 - g[j] * q1) / 2
            out[2 * j] = half
            out[2 * j + 1] = -half
        }
    }
}
