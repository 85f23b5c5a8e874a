import CKernels

/// The softmax lift for rows of any width d > 2 in Float (ternary, k-level), the path
/// `Projection.applyAndLift` takes for them: per row z = β(x − max x) (every z ≤ 0, as in
/// `softmax`), then e = exp(z) over the whole block in 256-bit vector code (`ck_negative_exp8`,
/// within 2 ulp of `expf`), then u = e / Σe and w = ⟨u, q⟩ per row, summed in index order.
/// Binary rows have their own loop (`BinaryRows`). Its pullback (`pullback`) runs the same way.
@usableFromInline
enum SoftmaxRows {
    @inlinable
    static func lift(_ x: UnsafePointer<Float>, _ u: UnsafeMutablePointer<Float>, _ w: UnsafeMutablePointer<Float>,
                     rows: Int, columns d: Int, beta: Float, levels q: [Float]) {
        for r in 0 ..< rows {
            let row = x + r * d, out = u + r * d
            var top = row[0]
            for i in 1 ..< d where row[i] > top { top = row[i] }
            for i in 0 ..< d { out[i] = beta * (row[i] - top) }
        }
        ck_negative_exp_in_place(u, rows * d)
        for r in 0 ..< rows {
            let out = u + r * d
            var sum: Float = 0
            for i in 0 ..< d { sum += out[i] }
            let scale = 1 / sum
            var value: Float = 0
            for i in 0 ..< d {
                out[i] *= scale
                value += out[i] * q[i]
            }
            w[r] = value
        }
    }

    /// The pullback of w = softmax(βx)·q to x for rows of width d > 2 given g = ∂L/∂w and
    /// u = softmax(βx), the path `Projection.pullbackFromWeights` takes for them: with v = g q,
    /// exact out = β u ⊙ (v − ⟨u, v⟩), oneSoftmax out = β (v − u ⟨u, v⟩) — the generic row
    /// functions' operations in their order, so the same bits — and reference out = β (v − s′ ⟨s′, v⟩)
    /// at s′ = softmax(β·u), formed as the lift forms softmax (its exponentials over the whole block
    /// in vector code, `ck_negative_exp_in_place`, within 2 ulp of the generic `expf`).
    @inlinable
    static func pullback(_ u: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                         rows: Int, columns d: Int, beta: Float, levels: [Float], jacobian: SoftmaxJacobian) {
        levels.withUnsafeBufferPointer { q in
            switch jacobian {
            case .exact:
                for r in 0 ..< rows {
                    let s = u + r * d, o = out + r * d, gr = g[r]
                    var dot: Float = 0
                    for i in 0 ..< d { dot += s[i] * (gr * q[i]) }
                    for i in 0 ..< d { o[i] = beta * s[i] * (gr * q[i] - dot) }
                }
            case .oneSoftmax:
                for r in 0 ..< rows {
                    let s = u + r * d, o = out + r * d, gr = g[r]
                    var dot: Float = 0
                    for i in 0 ..< d { dot += s[i] * (gr * q[i]) }
                    for i in 0 ..< d { o[i] = beta * (gr * q[i] - s[i] * dot) }
                }
            case .reference:
                for r in 0 ..< rows {
                    let s = u + r * d, o = out + r * d
                    var top = s[0]
                    for i in 1 ..< d where s[i] > top { top = s[i] }
                    for i in 0 ..< d { o[i] = beta * (s[i] - top) }
                }
                ck_negative_exp_in_place(out, rows * d)
                for r in 0 ..< rows {
                    let o = out + r * d, gr = g[r]
                    var sum: Float = 0
                    for i in 0 ..< d { sum += o[i] }
                    let scale = 1 / sum
                    var dot: Float = 0
                    for i in 0 ..< d { dot += (o[i] * scale) * (gr * q[i]) }
                    for i in 0 ..< d { o[i] = beta * (gr * q[i] - (o[i] * scale) * dot) }
                }
            }
        }
    }
}
