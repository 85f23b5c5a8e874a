import RealModule
import Simplex

/// The quadratic energy E(w) = wᵀAw + bᵀw over w ∈ Q^m — with Q = {−1, 1} the binary quadratic
/// model that links an MRF to a quantization problem: variable j is the weight w_j, its labels
/// are the levels, and a relaxed row u_j gives w̄_j = ⟨u_j, q⟩ (docs/paper-notes.md §1).
public struct QuadraticModel: Sendable {
    /// A (m×m, any; only A + Aᵀ and the diagonal matter).
    public let couplings: RowMatrix<Double>
    /// b (length m).
    public let field: [Double]
    /// The level set Q.
    public let levels: QuantizationLevels

    /// - Precondition: A is square with as many rows as b has entries, all finite.
    public init(couplings: RowMatrix<Double>, field: [Double], levels: QuantizationLevels = .binary) {
        precondition(couplings.rows == couplings.columns && couplings.rows == field.count,
                     "a quadratic model needs an m×m A and an m-vector b")
        self.couplings = couplings
        self.field = field
        self.levels = levels
    }

    /// m.
    public var size: Int { field.count }

    /// E(w) = wᵀAw + bᵀw for real w.
    public func energy(_ w: [Double]) -> Double {
        var total = 0.0
        for i in 0 ..< size {
            total += field[i] * w[i]
            for j in 0 ..< size { total += w[i] * couplings[i, j] * w[j] }
        }
        return total
    }

    /// The same energy as a factor graph over label indices: unary θ_i(λ) = A_ii q_λ² + b_i q_λ and,
    /// for i < j, pairwise θ_ij(λ, μ) = (A_ij + A_ji) q_λ q_μ, so E(x) = E(q_x) exactly.
    public var factorGraph: FactorGraph {
        let q = levels.values, d = q.count
        var factors: [Factor] = []
        for i in 0 ..< size {
            factors.append(Factor(unchecked: [i], cardinalities: [d],
                                  energies: q.map { couplings[i, i] * $0 * $0 + field[i] * $0 }))
        }
        for i in 0 ..< size {
            for j in i + 1 ..< size where couplings[i, j] + couplings[j, i] != 0 {
                let a = couplings[i, j] + couplings[j, i]
                factors.append(Factor(unchecked: [i, j], cardinalities: [d, d], energies: q.flatMap { x in q.map { a * x * $0 } }))
            }
        }
        return FactorGraph(unchecked: [Int](repeating: d, count: size), factors: factors)
    }
}

/// The plug-in relaxation L̃(u) = E(u·q) of a quadratic model (docs/paper-notes.md §1, the relaxation PMF
/// trains networks with), as opposed to the mean-field expected energy E_u[E(w)]. With
/// w̄ = u·q, ∂L̃/∂u_i(λ) = q_λ (((A + Aᵀ) w̄)_i + b_i). For this quadratic the two differ by the
/// variance term Σ_i A_ii Var_u(w_i).
public struct PluginEnergy: RelaxedObjective {
    /// The model.
    public let model: QuadraticModel
    /// d = |Q| for every row.
    public let cardinalities: [Int]
    /// Row offsets (multiples of d).
    public let offsets: [Int]

    /// The plug-in objective of `model`.
    public init(_ model: QuadraticModel) {
        self.model = model
        let d = model.levels.count
        cardinalities = [Int](repeating: d, count: model.size)
        offsets = (0 ... model.size).map { $0 * d }
    }

    /// w̄ = u·q, row by row.
    public func mean(_ u: UnsafeBufferPointer<Double>) -> [Double] {
        let q = model.levels.values
        return (0 ..< model.size).map { i in (0 ..< q.count).reduce(0) { $0 + u[offsets[i] + $1] * q[$1] } }
    }

    /// The plug-in energy E(u·q): the model evaluated at the mean weights w_i = ⟨u_i, q⟩.
    public func value(at u: UnsafeBufferPointer<Double>) -> Double { model.energy(mean(u)) }

    /// ∂E(u·q)/∂u_i = (∂E/∂w_i) q at w = u·q (the chain rule through the lifting).
    public func gradient(row i: Int, at u: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) {
        let q = model.levels.values
        var slope = model.field[i]
        for j in 0 ..< model.size {
            var wj = 0.0
            for λ in q.indices { wj += u[offsets[j] + λ] * q[λ] }
            slope += (model.couplings[i, j] + model.couplings[j, i]) * wj
        }
        for λ in q.indices { g[λ] = q[λ] * slope }
    }

    /// E(w) at the vertex labelling: w_i = q[labels[i]].
    public func energy(of labels: [Int]) -> Double { model.energy(labels.map { model.levels.values[$0] }) }
}
