import RealModule

/// The update rules shared by every solver and trainer in PMFKit: given the current point u ∈ Δᵐ
/// and the gradient g = ∂L̃/∂u at u (an m×d matrix, from an MRF's energy or a network's loss), each
/// rule produces the next u, row by row (docs/paper-notes.md §3–5).
///
/// | rule | next u |
/// |---|---|
/// | mean-field | softmax(−g) |
/// | proximal mean-field ≡ softmax-PGD (Theorem 3.1) | softmax(β (u − η g)) |
/// | sparsemax-PGD | sparsemax(β (u − η g)) |
/// | proximal ICM | hardmax(u − η g) |
/// | exponentiated gradient (mirror descent) | u ∘ exp(−β η g), normalised |
///
/// ``UpdateRuleKind`` names the rules without η and β and maps them to the MRF solvers' and the
/// training methods' names.
public enum UpdateRule<T: SimplexScalar>: Equatable, Sendable {
    /// Parallel mean-field: u ← softmax(−g). With g the gradient of the expected energy of an MRF
    /// this is the naive mean-field fixed-point update of every variable at once.
    case meanField
    /// Proximal mean-field, identical to softmax projected gradient descent: u ← softmax(β(u − ηg)).
    case proximalMeanField(eta: T, beta: T)
    /// Projected gradient descent with the Euclidean projection: u ← sparsemax(β(u − ηg)).
    case sparsemaxPGD(eta: T, beta: T)
    /// Proximal ICM, the β → ∞ limit of PMF: u ← hardmax(u − ηg).
    case proximalICM(eta: T)
    /// Exponentiated gradient, the mirror-descent form of softmax: u_λ ← u_λ exp(−βη g_λ) / Σ_μ(…).
    /// Computed in log space (softmax of log u − βηg), so it is stable for large βη; entries with
    /// u_λ = 0 stay 0.
    case exponentiatedGradient(eta: T, beta: T)

    /// Applies the rule to every `columns`-wide row of `u` in place.
    /// - Precondition: `u.count == gradient.count`, a multiple of `columns`; no NaN in either.
    @inlinable
    public func apply(_ u: UnsafeMutableBufferPointer<T>, gradient g: UnsafeBufferPointer<T>, columns: Int) {
        precondition(u.count == g.count && u.count % columns == 0, "u and its gradient do not hold the same whole rows")
        for i in 0 ..< u.count {
            switch self {
            case .meanField: u[i] = -g[i]
            case .proximalMeanField(let eta, _), .sparsemaxPGD(let eta, _), .proximalICM(let eta):
                u[i] = u[i] - eta * g[i]
            case .exponentiatedGradient(let eta, let beta):
                u[i] = u[i] > 0 ? T.log(u[i]) - beta * eta * g[i] : -T.infinity
            }
        }
        projection.apply(UnsafeBufferPointer(u), into: u, columns: columns)
    }

    /// The rule's name.
    @inlinable
    public var kind: UpdateRuleKind {
        switch self {
        case .meanField: .meanField
        case .proximalMeanField: .proximalMeanField
        case .sparsemaxPGD: .sparsemaxPGD
        case .proximalICM: .proximalICM
        case .exponentiatedGradient: .exponentiatedGradient
        }
    }

    /// The projection that closes the step: the kind's projection, at the rule's β where the step
    /// scales by it (exponentiated gradient applies β before its softmax).
    @inlinable
    public var projection: Projection<T> {
        switch self {
        case .proximalMeanField(_, let beta), .sparsemaxPGD(_, let beta): kind.projection(beta: beta)
        case .meanField, .proximalICM, .exponentiatedGradient: kind.projection(beta: 1)
        }
    }

    /// The next point for matrices.
    @inlinable
    public func callAsFunction(_ u: RowMatrix<T>, gradient: RowMatrix<T>) -> RowMatrix<T> {
        precondition(u.rows == gradient.rows && u.columns == gradient.columns, "u and gradient shapes differ")
        var next = u
        gradient.storage.withUnsafeBufferPointer { g in
            next.storage.withUnsafeMutableBufferPointer { apply($0, gradient: g, columns: u.columns) }
        }
        return next
    }
}
