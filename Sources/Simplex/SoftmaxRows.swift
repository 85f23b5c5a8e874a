import CKernels

/// The softmax lift for rows of any width d > 2 in Float (ternary, k-level), the path
/// `Projection.applyAndLift` takes for them: per row z = β(x − max x) (every z ≤ 0, as in
/// `softmax`), then e = exp(z) over the whole block in 256-bit vector code (`ck_negative_exp8`,
/// within 2 ulp of `expf`), then u = e / Σe and w = ⟨u, q⟩ per row, summed in index order.
/// Binary rows have their own loop (`BinaryRows`).
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
}
