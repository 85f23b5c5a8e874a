/// A row-wise map from Rᵈ onto the probability simplex Δ = {z ≥ 0, Σ z = 1} (docs/paper-notes.md §2), applied
/// to every row of an m×d matrix, with its vector–Jacobian product ("pullback").
public enum Projection<T: SimplexScalar>: Equatable, Sendable {
    /// softmax(β x): interior of the simplex; entropy-regularised projection (Lemma 2.1).
    case softmax(beta: T, jacobian: SoftmaxJacobian = .exact)
    /// sparsemax(β x): Euclidean projection; lands on a face of the simplex.
    case sparsemax(beta: T)
    /// hardmax(x): the vertex at the largest entry; pulled back with the binary straight-through rule.
    case hardmax

    /// Projects each `columns`-wide row of `x` into the matching row of `out` (which may alias `x`).
    @inlinable
    public func apply(_ x: UnsafeBufferPointer<T>, into out: UnsafeMutableBufferPointer<T>, columns: Int) {
        precondition(x.count == out.count && x.count % columns == 0, "projection buffers do not hold whole rows")
        for start in stride(from: 0, to: x.count, by: columns) {
            let row = UnsafeBufferPointer(rebasing: x[start ..< start + columns])
            let target = UnsafeMutableBufferPointer(rebasing: out[start ..< start + columns])
            switch self {
            case .softmax(let beta, _): Simplex.softmax(row, beta: beta, into: target)
            case .sparsemax(let beta): Simplex.sparsemax(row, beta: beta, into: target)
            case .hardmax: Simplex.hardmax(row, into: target)
            }
        }
    }

    /// The gradient with respect to the input x, given the gradient `upstream` with respect to the
    /// output u = P(x), row by row: out = (∂u/∂x)ᵀ upstream. Softmax and sparsemax need the output u;
    /// hardmax's straight-through rule needs the input x. `out` may alias `upstream`.
    @inlinable
    public func pullback(
        input x: UnsafeBufferPointer<T>, output u: UnsafeBufferPointer<T>, upstream v: UnsafeBufferPointer<T>,
        into out: UnsafeMutableBufferPointer<T>, columns: Int
    ) {
        precondition(x.count == u.count && u.count == v.count && v.count == out.count && v.count % columns == 0,
                     "pullback buffers do not hold the same whole rows")
        for start in stride(from: 0, to: v.count, by: columns) {
            let range = start ..< start + columns
            let target = UnsafeMutableBufferPointer(rebasing: out[range])
            let upstreamRow = UnsafeBufferPointer(rebasing: v[range])
            switch self {
            case .softmax(let beta, let jacobian):
                softmaxPullback(output: UnsafeBufferPointer(rebasing: u[range]), upstream: upstreamRow,
                                beta: beta, jacobian: jacobian, into: target)
            case .sparsemax(let beta):
                sparsemaxPullback(output: UnsafeBufferPointer(rebasing: u[range]), upstream: upstreamRow,
                                  beta: beta, into: target)
            case .hardmax:
                hardmaxStraightThroughPullback(input: UnsafeBufferPointer(rebasing: x[range]),
                                               upstream: upstreamRow, into: target)
            }
        }
    }

    /// P(x) for a matrix.
    @inlinable
    public func callAsFunction(_ x: RowMatrix<T>) -> RowMatrix<T> {
        var out = x
        x.storage.withUnsafeBufferPointer { input in
            out.storage.withUnsafeMutableBufferPointer { apply(input, into: $0, columns: x.columns) }
        }
        return out
    }

    /// P(x) for one row.
    @inlinable
    public func callAsFunction(_ x: [T]) -> [T] {
        self(RowMatrix(rows: 1, columns: x.count, storage: x)).storage
    }

    /// (∂P/∂x)ᵀ v for matrices; see `pullback(input:output:upstream:into:columns:)`.
    @inlinable
    public func pullback(at x: RowMatrix<T>, upstream v: RowMatrix<T>) -> RowMatrix<T> {
        let u = self(x)
        var out = v
        x.storage.withUnsafeBufferPointer { xs in
            u.storage.withUnsafeBufferPointer { us in
                v.storage.withUnsafeBufferPointer { vs in
                    out.storage.withUnsafeMutableBufferPointer {
                        pullback(input: xs, output: us, upstream: vs, into: $0, columns: x.columns)
                    }
                }
            }
        }
        return out
    }
}
