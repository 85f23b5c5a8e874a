/// Fast paths for the commonest case, binary levels in `Float` (two columns per row), eight rows at
/// a time. They compute the same formulas as the generic row functions — for softmax,
/// e = exp(−|z|) with z = β(x₁ − x₀), then 1/(1+e) and e/(1+e) — with `negativeExp` in place of
/// `expf`, so results agree with the generic path to a few ulp.
@usableFromInline
enum BinaryRows {
    /// For every row j of x (two entries per row), z_j = β(x_j1 − x_j0) → (u_j0, u_j1) = `rule(z)`,
    /// and w_j = u_j0 q₀ + u_j1 q₁; eight rows at a time with constant lane shuffles (no per-lane
    /// indexing), the last partial group through a zero-padded copy.
    @inlinable @inline(__always)
    static func lift(_ x: UnsafePointer<Float>, _ u: UnsafeMutablePointer<Float>, _ w: UnsafeMutablePointer<Float>,
                     rows: Int, beta: Float, q0: Float, q1: Float,
                     _ rule: (SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>)) {
        @inline(__always) func group(_ x: UnsafePointer<Float>, _ u: UnsafeMutablePointer<Float>, _ w: UnsafeMutablePointer<Float>) {
            let a = UnsafeRawPointer(x).loadUnaligned(as: SIMD8<Float>.self)
            let b = UnsafeRawPointer(x + 8).loadUnaligned(as: SIMD8<Float>.self)
            let z = beta * SIMD8(a[1] - a[0], a[3] - a[2], a[5] - a[4], a[7] - a[6], b[1] - b[0], b[3] - b[2], b[5] - b[4], b[7] - b[6])
            let (s0, s1) = rule(z)
            UnsafeMutableRawPointer(u).storeBytes(of: SIMD8(s0[0], s1[0], s0[1], s1[1], s0[2], s1[2], s0[3], s1[3]), as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(u + 8).storeBytes(of: SIMD8(s0[4], s1[4], s0[5], s1[5], s0[6], s1[6], s0[7], s1[7]), as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(w).storeBytes(of: s0 * q0 + s1 * q1, as: SIMD8<Float>.self)
        }
        let full = rows / 8 * 8
        for r in stride(from: 0, to: full, by: 8) { group(x + 2 * r, u + 2 * r, w + r) }
        guard full < rows else { return }
        let valid = rows - full
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 40) { buffer in
            let (xs, us, ws) = (buffer.baseAddress!, buffer.baseAddress! + 16, buffer.baseAddress! + 32)
            xs.initialize(repeating: 0, count: 40)
            xs.update(from: x + 2 * full, count: 2 * valid)
            group(xs, us, ws)
            (u + 2 * full).update(from: us, count: 2 * valid)
            (w + full).update(from: ws, count: valid)
        }
    }

    /// softmax(βx) per row and w = u₀q₀ + u₁q₁: e = exp(−|z|), the larger entry 1/(1+e), the
    /// smaller e/(1+e).
    @inlinable
    static func softmaxLift(_ x: UnsafePointer<Float>, _ u: UnsafeMutablePointer<Float>, _ w: UnsafeMutablePointer<Float>,
                            rows: Int, beta: Float, q0: Float, q1: Float) {
        lift(x, u, w, rows: rows, beta: beta, q0: q0, q1: q1) { z in
            let e = negativeExp(z.replacing(with: -z, where: z .> 0))
            let big = 1 / (1 + e), small = e * big
            let positive = z .>= 0
            return (big.replacing(with: small, where: positive), small.replacing(with: big, where: positive))
        }
    }

    /// sparsemax(βx) per row — (1 − s, s) with s = clamp((β(x₁ − x₀) + 1)/2, 0, 1) — and w.
    @inlinable
    static func sparsemaxLift(_ x: UnsafePointer<Float>, _ u: UnsafeMutablePointer<Float>, _ w: UnsafeMutablePointer<Float>,
                              rows: Int, beta: Float, q0: Float, q1: Float) {
        lift(x, u, w, rows: rows, beta: beta, q0: q0, q1: q1) { z in
            let s1 = ((z + 1) * 0.5).clamped(lowerBound: SIMD8(repeating: 0), upperBound: SIMD8(repeating: 1))
            return (1 - s1, s1)
        }
    }

    /// The pullback of w = softmax(βx)·q to x given g = ∂L/∂w (so ∂L/∂u = g q):
    /// exact out_λ = β s_λ g (q_λ − w); reference out_λ = β g (q_λ − s_λ w).
    @inlinable
    static func softmaxPullback(_ u: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
                                _ out: UnsafeMutablePointer<Float>, rows: Int, beta: Float, q0: Float, q1: Float,
                                jacobian: SoftmaxJacobian) {
        for j in 0 ..< rows {
            let (s0, s1, wj, bg) = (u[2 * j], u[2 * j + 1], w[j], beta * g[j])
            switch jacobian {
            case .exact:
                out[2 * j] = bg * s0 * (q0 - wj)
                out[2 * j + 1] = bg * s1 * (q1 - wj)
            case .reference:
                out[2 * j] = bg * (q0 - s0 * wj)
                out[2 * j + 1] = bg * (q1 - s1 * wj)
            }
        }
    }

    /// The pullback of w = sparsemax(βx)·q: β g (q₀ − q₁)/2 · (1, −1) inside the simplex, 0 at a vertex.
    @inlinable
    static func sparsemaxPullback(_ u: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                  rows: Int, beta: Float, q0: Float, q1: Float) {
        let half = beta * (q0 - q1) / 2
        for j in 0 ..< rows {
            let inside = u[2 * j] > 0 && u[2 * j + 1] > 0
            let value = inside ? half * g[j] : 0
            out[2 * j] = value
            out[2 * j + 1] = -value
        }
    }
}
