import RealModule
import NeuralNet
import Simplex

/// Algorithm 1 of the paper (PAPER.md §4): each quantized parameter of m entries has auxiliary
/// variables ũ ∈ R^{m×d}; the forward pass uses w = u·q with u = P_β(ũ) row-wise; the backward
/// pass turns ∂L/∂w into ∂L/∂u = g_w qᵀ and pulls it back through P_β; the optimizer steps ũ.
///
/// P is softmax(βũ) for PMF, sparsemax(βũ) for PGD, hardmax(ũ) with the straight-through
/// Jacobian of supp. Eq. 40 for PICM — all from `Simplex.Projection`. The quantized network is
/// hardmax(ũ)·q, i.e. the level at argmax ũ (lowest index on ties). ũ starts at ũ_λ = w·q_λ from
/// the network's float initialisation (for binary levels the anchor's stack(−w, w)).
public final class LiftedWeights: WeightMethod {
    public enum Kind: Equatable, Sendable {
        case picm, pgd
        case pmf(SoftmaxJacobian)
    }

    struct Group {
        let name: String
        let parameter: Parameter
        /// ũ and ∂L/∂ũ, m×d.
        let tilde: Tensor
        let tildeGradient: Tensor
        /// u = P(ũ) at the last forward pass, and ∂L/∂u.
        let u: Tensor
        let uGradient: Tensor
    }

    public let name: String
    public let kind: Kind
    public let schedule: BetaSchedule
    public let levels: QuantizationLevels
    let groups: [Group]
    let split: ParameterSplit
    let q: [Float]
    public let variables: [OptimizedTensor]
    private(set) public var beta: Double = .nan

    init(_ split: ParameterSplit, levels: QuantizationLevels, kind: Kind, schedule: BetaSchedule, name: String) throws(QuantizationError) {
        if kind == .picm, levels.count != 2 {
            throw QuantizationError("picm uses hardmax's straight-through Jacobian (supp. Eq. 40), which is defined for binary levels only; got \(levels). Use --levels binary, or pmf/pgd for \(levels)")
        }
        self.split = split
        self.kind = kind
        self.schedule = schedule
        self.levels = levels
        self.name = name
        let q = levels.vector(Float.self)
        self.q = q
        let d = q.count
        groups = split.quantized.map { entry in
            let m = entry.parameter.count
            let tilde = Tensor(shape: [m, d])
            let w = entry.parameter.value.data
            for j in 0 ..< m { for l in 0 ..< d { tilde[j * d + l] = w[j] * q[l] } }
            return Group(name: entry.name, parameter: entry.parameter, tilde: tilde, tildeGradient: Tensor(shape: [m, d]),
                         u: Tensor(shape: [m, d]), uGradient: Tensor(shape: [m, d]))
        }
        variables = groups.map { OptimizedTensor(value: $0.tilde, gradient: $0.tildeGradient) } + split.floatVariables
        if kind != .picm { beta = schedule.beta(at: 0) }
    }

    /// The projection in use at inverse temperature β.
    func projection(beta: Double) -> Projection<Float> {
        switch kind {
        case .picm: .hardmax
        case .pgd: .sparsemax(beta: Float(beta))
        case .pmf(let jacobian): .softmax(beta: Float(beta), jacobian: jacobian)
        }
    }

    public var stateTensors: [(name: String, tensor: Tensor)] {
        groups.map { ("\($0.name)/utilde", $0.tilde) } + split.floatState
    }

    public var hasFractionalNetwork: Bool { kind != .picm }

    public func prepareForward(iteration: Int) {
        if kind != .picm { beta = schedule.beta(at: iteration) }
        let map = projection(beta: beta)
        let d = q.count
        for group in groups {
            map.apply(UnsafeBufferPointer(group.tilde.buffer), into: group.u.buffer, columns: d)
            lift(group.u, into: group.parameter.value)
        }
    }

    /// w_j = Σ_λ u_jλ q_λ.
    private func lift(_ u: Tensor, into w: Tensor) {
        let d = q.count, us = u.data, ws = w.data
        if d == 2 {
            let (a, b) = (q[0], q[1])
            for j in 0 ..< w.count { ws[j] = us[2 * j] * a + us[2 * j + 1] * b }
        } else {
            for j in 0 ..< w.count {
                var sum: Float = 0
                for l in 0 ..< d { sum += us[j * d + l] * q[l] }
                ws[j] = sum
            }
        }
    }

    public func pullBack(iteration: Int) {
        let map = projection(beta: beta)
        let d = q.count
        for group in groups {
            let g = group.parameter.gradient.data, gu = group.uGradient.data
            for j in 0 ..< group.parameter.count { for l in 0 ..< d { gu[j * d + l] = g[j] * q[l] } }
            map.pullback(input: UnsafeBufferPointer(group.tilde.buffer), output: UnsafeBufferPointer(group.u.buffer),
                         upstream: UnsafeBufferPointer(group.uGradient.buffer), into: group.tildeGradient.buffer, columns: d)
        }
    }

    public func afterStep(_ step: StepInfo) {}

    public func prepareEvaluation(quantized: Bool) {
        let d = q.count
        for group in groups {
            if quantized {
                let w = group.parameter.value.data, tilde = UnsafeBufferPointer(group.tilde.buffer)
                for j in 0 ..< group.parameter.count {
                    w[j] = q[argmax(UnsafeBufferPointer(rebasing: tilde[j * d ..< (j + 1) * d]))]
                }
            } else {
                projection(beta: beta).apply(UnsafeBufferPointer(group.tilde.buffer), into: group.u.buffer, columns: d)
                lift(group.u, into: group.parameter.value)
            }
        }
    }

    public func diagnostics() -> WeightDiagnostics { rowStatistics(groups.map(\.u), columns: q.count) }
}

/// Mean row entropy and the fraction of rows at a vertex, over several m×d matrices.
func rowStatistics(_ matrices: [Tensor], columns d: Int) -> WeightDiagnostics {
    var total = 0.0, vertices = 0, rows = 0
    for matrix in matrices {
        let buffer = UnsafeBufferPointer(matrix.buffer)
        for start in stride(from: 0, to: buffer.count, by: d) {
            let row = UnsafeBufferPointer(rebasing: buffer[start ..< start + d])
            total += Double(entropy(row))
            if row.max()! >= 1 - 1e-6 { vertices += 1 }
            rows += 1
        }
    }
    guard rows > 0 else { return .none }
    return WeightDiagnostics(meanEntropy: total / Double(rows), vertexFraction: Double(vertices) / Double(rows))
}
