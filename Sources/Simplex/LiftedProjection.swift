/// The projection composed with the lifting w = u·q, as a network layer's weights use it
/// (Algorithm 1): u = P(x) row-wise, wⱼ = ⟨uⱼ, q⟩, and back from ∂L/∂w to ∂L/∂x.
/// Binary levels in `Float` take a fast path (`BinaryRows`; vectorised C kernels for softmax and
/// sparsemax, a branch-free loop for hardmax with the same bits as the generic rows), the
/// softmax lift and pullback of wider rows in `Float` another (`SoftmaxRows`); everything else runs
/// the generic row functions.
extension Projection {
    /// u = P(x) for each row of width q.count, and w[j] = ⟨u_j, q⟩.
    /// - Precondition: x and u hold `w.count` rows of `q.count` entries.
    @inlinable
    public func applyAndLift(_ x: UnsafeBufferPointer<T>, into u: UnsafeMutableBufferPointer<T>,
                             weights w: UnsafeMutableBufferPointer<T>, levels q: [T]) {
        let d = q.count
        precondition(x.count == u.count && x.count == w.count * d, "lifting buffers do not hold \(w.count) rows of \(d)")
        if T.self == Float.self, d == 2, let fast = binaryKind {
            let (q0, q1) = (Float(q[0]), Float(q[1]))
            x.withMemoryRebound(to: Float.self) { x in
                u.withMemoryRebound(to: Float.self) { u in
                    w.withMemoryRebound(to: Float.self) { w in
                        switch fast {
                        case .softmax(let beta):
                            BinaryRows.softmaxLift(x.baseAddress!, u.baseAddress!, w.baseAddress!, rows: w.count, beta: beta, q0: q0, q1: q1)
                        case .sparsemax(let beta):
                            BinaryRows.sparsemaxLift(x.baseAddress!, u.baseAddress!, w.baseAddress!, rows: w.count, beta: beta, q0: q0, q1: q1)
                        }
                    }
                }
            }
            return
        }
        if T.self == Float.self, d == 2, case .hardmax = self {
            x.withMemoryRebound(to: Float.self) { x in
                u.withMemoryRebound(to: Float.self) { u in
                    w.withMemoryRebound(to: Float.self) { w in
                        BinaryRows.hardmaxLift(x.baseAddress!, u.baseAddress!, w.baseAddress!, rows: w.count, q0: Float(q[0]), q1: Float(q[1]))
                    }
                }
            }
            return
        }
        if T.self == Float.self, d > 2, case .softmax(let beta, _) = self {
            let levels = q.map { Float($0) }
            x.withMemoryRebound(to: Float.self) { x in
                u.withMemoryRebound(to: Float.self) { u in
                    w.withMemoryRebound(to: Float.self) { w in
                        SoftmaxRows.lift(x.baseAddress!, u.baseAddress!, w.baseAddress!, rows: w.count, columns: d, beta: Float(beta), levels: levels)
                    }
                }
            }
            return
        }
        apply(x, into: u, columns: d)
        for j in 0 ..< w.count {
            var sum: T = 0
            for l in 0 ..< d { sum += u[j * d + l] * q[l] }
            w[j] = sum
        }
    }

    /// ∂L/∂x from ∂L/∂w for w = P(x)·q: the pullback of ∂L/∂u = (∂L/∂w) qᵀ through P, row by row.
    /// `u` is the output of `applyAndLift` at the same x.
    @inlinable
    public func pullbackFromWeights(input x: UnsafeBufferPointer<T>, output u: UnsafeBufferPointer<T>,
                                    weightGradient g: UnsafeBufferPointer<T>, levels q: [T],
                                    into out: UnsafeMutableBufferPointer<T>) {
        let d = q.count
        precondition(u.count == out.count && u.count == g.count * d, "pullback buffers do not match")
        if T.self == Float.self, d == 2, let fast = binaryKind {
            let (q0, q1) = (Float(q[0]), Float(q[1]))
            u.withMemoryRebound(to: Float.self) { u in
                g.withMemoryRebound(to: Float.self) { g in
                    out.withMemoryRebound(to: Float.self) { out in
                        switch fast {
                        case .softmax(let beta):
                            guard case .softmax(_, let jacobian) = self else { return }
                            BinaryRows.softmaxPullback(u.baseAddress!, g.baseAddress!, out.baseAddress!,
                                                       rows: g.count, beta: beta, q0: q0, q1: q1, jacobian: jacobian)
                        case .sparsemax(let beta):
                            BinaryRows.sparsemaxPullback(u.baseAddress!, g.baseAddress!, out.baseAddress!,
                                                         rows: g.count, beta: beta, q0: q0, q1: q1)
                        }
                    }
                }
            }
            return
        }
        if T.self == Float.self, d > 2, case .softmax(let beta, let jacobian) = self {
            u.withMemoryRebound(to: Float.self) { u in
                g.withMemoryRebound(to: Float.self) { g in
                    out.withMemoryRebound(to: Float.self) { out in
                        SoftmaxRows.pullback(u.baseAddress!, g.baseAddress!, out.baseAddress!, rows: g.count, columns: d,
                                             beta: Float(beta), levels: q.map { Float($0) }, jacobian: jacobian)
                    }
                }
            }
            return
        }
        if T.self == Float.self, d == 2, case .hardmax = self {
            x.withMemoryRebound(to: Float.self) { x in
                g.withMemoryRebound(to: Float.self) { g in
                    out.withMemoryRebound(to: Float.self) { out in
                        BinaryRows.hardmaxPullback(x.baseAddress!, g.baseAddress!, out.baseAddress!, rows: g.count, q0: Float(q[0]), q1: Float(q[1]))
                    }
                }
            }
            return
        }
        for j in 0 ..< g.count { for l in 0 ..< d { out[j * d + l] = g[j] * q[l] } }
        pullback(input: x, output: u, upstream: UnsafeBufferPointer(out), into: out, columns: d)
    }

    /// The projection's kind and β in `Float` when a binary fast path exists for it.
    @usableFromInline
    enum BinaryKind { case softmax(Float), sparsemax(Float) }

    @inlinable
    var binaryKind: BinaryKind? {
        switch self {
        case .softmax(let beta, _): .softmax(Float(beta))
        case .sparsemax(let beta): .sparsemax(Float(beta))
        case .hardmax: nil
        }
    }
}
