import NeuralNet
import RealModule
import Simplex
import Support
import Synchronization

/// Algorithm 1 of the paper (docs/paper-notes.md §4): each quantized parameter of m entries has auxiliary
/// variables ũ ∈ R^{m×d}; the forward pass uses w = u·q with u = P_β(ũ) row-wise; the backward
/// pass turns ∂L/∂w into ∂L/∂u = g_w qᵀ and pulls it back through P_β; the optimizer steps ũ.
///
/// P, a `Simplex.ProjectionKind`, is the projection of the method's `UpdateRuleKind` (see `MethodKind.rule`):
/// softmax(βũ) for PMF, sparsemax(βũ) for PGD, hardmax(ũ) with the straight-through Jacobian of
/// supp. Eq. 40 for PICM — all from `Simplex.Projection`. The quantized network is
/// hardmax(ũ)·q, i.e. the level at argmax ũ (lowest index on ties). ũ starts as `ScoreInitialization`
/// says: tied to the network's float initialisation (ũ_λ = w·q_λ) or drawn independently like the
/// reference code's d×-wide layer.
///
/// The pullback, the optimizer's update and the next lift run block by block in one pass (ũ's
/// gradient is a `GradientSource`): for each block of rows, ∂L/∂ũ is formed from ∂L/∂w into a
/// small buffer, the optimizer steps those rows of ũ, and u = P_β'(ũ), w = u·q are written at once
/// with the next iteration's β'. The results are the same as three separate passes. The same pass
/// checks each block of ũ for NaN and ±∞, so the trainer's check after the step reads no memory.
public final class LiftedWeights: WeightMethod {
    struct Group {
        let name: String
        let parameter: Parameter
        /// ũ, m×d.
        let tilde: Tensor
        /// u = P(ũ) at the last lift.
        let u: Tensor
    }

    /// The inverse temperatures the gradient sources use; set by `pullBack` and read while the
    /// optimizer steps.
    final class Temperatures {
        /// β of the forward pass being pulled back.
        var current: Float = .nan
        /// β of the next forward pass, for the lift after each block's update.
        var next: Float = .nan
    }

    public let name: String
    /// P: softmax (PMF), sparsemax (PGD) or hardmax (PICM).
    public let projection: ProjectionKind
    /// Softmax's pullback matrix (used by softmax only).
    public let jacobian: SoftmaxJacobian
    public let schedule: BetaSchedule
    public let levels: QuantizationLevels
    let groups: [Group]
    /// Rows per group, and each group's (ũ, u, w, ∂L/∂w) buffers, fixed for the run.
    private let rowCounts: [Int]
    private let buffers: [Buffers]
    let split: ParameterSplit
    let q: [Float]
    public let variables: [OptimizedTensor]
    private(set) public var beta: Double = .nan
    private let temperatures = Temperatures()
    /// The iteration whose weights the last optimizer step already lifted (nil: lift in `prepareForward`).
    private var liftedFor: Int?
    /// Groups whose ũ held a NaN or ±∞ after an update during the last optimizer step.
    private let nonFinite = NonFiniteGroups()
    /// Whether the last optimizer step checked every block of ũ (false: `nonFiniteStateTensor` scans).
    private var stepChecked = false

    /// Set by the blocks of an optimizer step, which run in parallel.
    final class NonFiniteGroups: Sendable {
        let groups = Mutex<Set<Int>>([])
    }

    struct Buffers {
        let tilde, u, w, g: UnsafeMutablePointer<Float>
    }

    /// The method over `split` starting from `scores` (ũ⁰, one m×d tensor per quantized parameter).
    init(_ split: ParameterSplit, levels: QuantizationLevels, projection: ProjectionKind, jacobian: SoftmaxJacobian,
         schedule: BetaSchedule, scores: [Tensor], name: String) throws(QuantizationError) {
        if projection == .hardmax, levels.count != 2 {
            throw QuantizationError("picm uses hardmax's straight-through Jacobian (supp. Eq. 40), which is defined for binary levels only; got \(levels). Use --levels binary, or pmf/pgd for \(levels)")
        }
        self.split = split
        self.projection = projection
        self.jacobian = jacobian
        self.schedule = schedule
        self.levels = levels
        self.name = name
        let q = levels.vector(Float.self)
        self.q = q
        let d = q.count
        let groups = zip(split.quantized, scores).map { entry, tilde in
            Group(name: entry.name, parameter: entry.parameter, tilde: tilde, u: Tensor(shape: [entry.parameter.count, d]))
        }
        self.groups = groups
        rowCounts = groups.map(\.parameter.count)
        let buffers = groups.map { Buffers(tilde: $0.tilde.data, u: $0.u.data, w: $0.parameter.value.data, g: $0.parameter.gradient.data) }
        self.buffers = buffers
        let (temperatures, nonFinite) = (temperatures, nonFinite)
        variables = zip(groups.indices, buffers).map { index, buffer in
            let source = GradientSource(rowWidth: d, gradient: { start, count, out in
                Self.pullBack(projection(beta: temperatures.current, jacobian: jacobian), buffer, rows: start / d, count / d, levels: q, into: out)
            }, updated: { start, count in
                Self.lift(projection(beta: temperatures.next, jacobian: jacobian), buffer, rows: start / d, count / d, levels: q)
                if containsNonFinite(buffer.tilde + start, count: count) { nonFinite.groups.withLock { _ = $0.insert(index) } }
            })
            return OptimizedTensor(name: "\(groups[index].name)/utilde", value: groups[index].tilde, source: source)
        } + split.floatVariables
        if projection != .hardmax { beta = schedule.beta(at: 0) }
    }

    /// P at inverse temperature β.
    private func map(beta: Float) -> Projection<Float> { projection(beta: beta, jacobian: jacobian) }

    /// u = P(ũ) and w = u·q for rows first ..< first + count of one group.
    private static func lift(_ map: Projection<Float>, _ buffer: Buffers, rows first: Int, _ count: Int, levels q: [Float]) {
        let d = q.count
        map.applyAndLift(UnsafeBufferPointer(start: buffer.tilde + first * d, count: count * d),
                         into: UnsafeMutableBufferPointer(start: buffer.u + first * d, count: count * d),
                         weights: UnsafeMutableBufferPointer(start: buffer.w + first, count: count), levels: q)
    }

    /// ∂L/∂ũ for rows first ..< first + count of one group, from ∂L/∂w (∂L/∂u = ∂L/∂w·qᵀ) through the
    /// projection, into `out` (count·d entries).
    private static func pullBack(_ map: Projection<Float>, _ buffer: Buffers, rows first: Int, _ count: Int, levels q: [Float],
                                 into out: UnsafeMutablePointer<Float>) {
        let d = q.count
        map.pullbackFromWeights(input: UnsafeBufferPointer(start: buffer.tilde + first * d, count: count * d),
                                output: UnsafeBufferPointer(start: buffer.u + first * d, count: count * d),
                                weightGradient: UnsafeBufferPointer(start: buffer.g + first, count: count),
                                levels: q, into: UnsafeMutableBufferPointer(start: out, count: count * d))
    }

    public var hasFractionalNetwork: Bool { projection != .hardmax }

    public func prepareForward(iteration: Int) {
        if projection != .hardmax { beta = schedule.beta(at: iteration) }
        if liftedFor != iteration { projectAndLift() }
        liftedFor = nil
    }

    /// u = P_β(ũ) and w = u·q into the parameters, the rows of all groups split across the cores.
    private func projectAndLift() {
        let map = self.map(beta: Float(beta)), q = q, buffers = buffers
        parallelSegments(counts: rowCounts, minimumPerChunk: 16_384) { index, start, rows in
            Self.lift(map, buffers[index], rows: start, rows, levels: q)
        }
    }

    /// Sets the gradient sources of ũ for this iteration: they pull ∂L/∂w back through P_β and,
    /// after the optimizer's update of each block, lift it with the next iteration's β.
    public func pullBack(iteration: Int) {
        temperatures.current = Float(beta)
        temperatures.next = projection == .hardmax ? .nan : Float(schedule.beta(at: iteration + 1))
        nonFinite.groups.withLock { $0.removeAll() }
        stepChecked = false
    }

    public func afterStep(_ step: StepInfo) {
        liftedFor = step.iteration + 1
        stepChecked = true
    }

    public func variablesChanged() {
        liftedFor = nil
        stepChecked = false
    }

    /// After an optimizer step, the groups its blocks found non-finite (then the float-kept
    /// parameters); otherwise a scan of every state tensor.
    public func nonFiniteStateTensor() -> String? {
        let tensors = stateTensors
        guard stepChecked else { return firstNonFinite(tensors) }
        if let group = nonFinite.groups.withLock({ $0.min() }) { return tensors[group].name }
        return firstNonFinite(tensors.dropFirst(groups.count))
    }

    public func prepareEvaluation(quantized: Bool) {
        liftedFor = nil
        guard quantized else { return projectAndLift() }
        for group in groups { LevelRows.writeHardLevels(of: group.tilde, levels: q, into: group.parameter.value) }
    }

    /// Entropy and vertex statistics of u = P_β(ũ) at the current ũ and β (the fractional network's u).
    public func diagnostics() -> WeightDiagnostics {
        let map = self.map(beta: Float(beta))
        return rowStatistics(groups.map { group in
            let u = Tensor(shape: [group.parameter.count, q.count])
            map.apply(UnsafeBufferPointer(group.tilde.buffer), into: u.buffer, columns: q.count)
            return u
        }, columns: q.count)
    }
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
