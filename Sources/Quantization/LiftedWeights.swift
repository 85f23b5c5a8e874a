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
        /// u = P(ũ) at the last forward pass.
        let u: Tensor
    }

    public let name: String
    public let kind: Kind
    public let schedule: BetaSchedule
    public let levels: QuantizationLevels
    let groups: [Group]
    /// Rows per group, and each group's (ũ, u, w, ∂L/∂w, ∂L/∂ũ) buffers, fixed for the run.
    private let rowCounts: [Int]
    private let buffers: [(tilde: UnsafeMutablePointer<Float>, u: UnsafeMutablePointer<Float>, w: UnsafeMutablePointer<Float>,
                           g: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>)]
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
            return Group(name: entry.name, parameter: entry.parameter, tilde: LevelRows.initialScores(from: entry.parameter.value, levels: q),
                         tildeGradient: Tensor(shape: [m, d]), u: Tensor(shape: [m, d]))
        }
        rowCounts = groups.map(\.parameter.count)
        buffers = groups.map { ($0.tilde.data, $0.u.data, $0.parameter.value.data, $0.parameter.gradient.data, $0.tildeGradient.data) }
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
        projectAndLift()
    }

    /// u = P(ũ) and w = u·q into the parameters, the rows of all groups split across the cores.
    private func projectAndLift() {
        let map = projection(beta: beta), d = q.count, buffers = buffers
        parallelSegments(counts: rowCounts, minimumPerChunk: 16_384) { index, start, rows in
            let (tilde, u, w, _, _) = buffers[index]
            map.applyAndLift(UnsafeBufferPointer(start: tilde + start * d, count: rows * d),
                             into: UnsafeMutableBufferPointer(start: u + start * d, count: rows * d),
                             weights: UnsafeMutableBufferPointer(start: w + start, count: rows), levels: q)
        }
    }

    /// ∂L/∂ũ from ∂L/∂w through the projection (∂L/∂u = ∂L/∂w·qᵀ), the rows of all groups split
    /// across the cores.
    public func pullBack(iteration: Int) {
        let map = projection(beta: beta), d = q.count, buffers = buffers
        parallelSegments(counts: rowCounts, minimumPerChunk: 16_384) { index, start, rows in
            let (tilde, u, w, g, out) = buffers[index]
            map.pullbackFromWeights(input: UnsafeBufferPointer(start: tilde + start * d, count: rows * d),
                                    output: UnsafeBufferPointer(start: u + start * d, count: rows * d),
                                    weights: UnsafeBufferPointer(start: w + start, count: rows),
                                    weightGradient: UnsafeBufferPointer(start: g + start, count: rows),
                                    levels: q, into: UnsafeMutableBufferPointer(start: out + start * d, count: rows * d))
        }
    }

    public func afterStep(_ step: StepInfo) {}

    public func prepareEvaluation(quantized: Bool) {
        guard quantized else { return projectAndLift() }
        for group in groups { LevelRows.writeHardLevels(of: group.tilde, levels: q, into: group.parameter.value) }
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
