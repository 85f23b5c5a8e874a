import RealModule
import NeuralNet
import Simplex

/// Updates on u itself, without ũ and without the optimizer (supp. Table 3 and the MD follow-up):
/// each quantized parameter has u ∈ Δ^m (m×d), the network computes with w = u·q, and after the
/// backward pass u is moved by the shared `Simplex.UpdateRule` of `rule` with η = the iteration's
/// learning rate and β from the schedule. The training methods use two rules (`MethodKind.rule`):
/// - `.proximalMeanField`: u ← softmax(β(u − ηg)) (`pmf[tilde=false]`, PMF without ũ, Theorem 3.1);
/// - `.exponentiatedGradient`: u_λ ← u_λ exp(−βηg_λ)/Σ (`md`, mirror descent).
/// u starts at softmax(β₀ ũ⁰) with ũ⁰ as `ScoreInitialization` says (tied: ũ⁰_λ = w·q_λ). Float-kept
/// parameters go through the optimizer.
public final class SimplexWeights: WeightMethod {
    struct Group {
        let name: String
        let parameter: Parameter
        let u: Tensor
        let uGradient: Tensor
    }

    public let name: String
    public let rule: UpdateRuleKind
    public let schedule: BetaSchedule
    let groups: [Group]
    let split: ParameterSplit
    let q: [Float]
    public let variables: [OptimizedTensor]
    private(set) public var beta: Double

    /// The method over `split` starting from u⁰ = softmax(β₀ ũ⁰) for `scores` (ũ⁰, one m×d tensor per
    /// quantized parameter, overwritten by u⁰).
    init(_ split: ParameterSplit, levels: QuantizationLevels, rule: UpdateRuleKind, schedule: BetaSchedule, scores: [Tensor], name: String) {
        self.split = split
        self.rule = rule
        self.schedule = schedule
        self.name = name
        let q = levels.vector(Float.self)
        self.q = q
        let d = q.count
        beta = schedule.beta(at: 0)
        let start = Projection<Float>.softmax(beta: Float(beta))
        groups = zip(split.quantized, scores).map { entry, u in
            let m = entry.parameter.count
            start.apply(UnsafeBufferPointer(u.buffer), into: u.buffer, columns: d)
            return Group(name: entry.name, parameter: entry.parameter, u: u, uGradient: Tensor(shape: [m, d]))
        }
        variables = split.floatVariables
    }

    public var stateTensors: [(name: String, tensor: Tensor)] { groups.map { ("\($0.name)/u", $0.u) } + split.floatState }
    public var hasFractionalNetwork: Bool { true }

    private func lift(_ group: Group) {
        let d = q.count, us = group.u.data, ws = group.parameter.value.data
        for j in 0 ..< group.parameter.count {
            var sum: Float = 0
            for l in 0 ..< d { sum += us[j * d + l] * q[l] }
            ws[j] = sum
        }
    }

    public func prepareForward(iteration: Int) {
        beta = schedule.beta(at: iteration)
        for group in groups { lift(group) }
    }

    public func pullBack(iteration: Int) {
        let d = q.count
        for group in groups {
            let g = group.parameter.gradient.data, gu = group.uGradient.data
            for j in 0 ..< group.parameter.count { for l in 0 ..< d { gu[j * d + l] = g[j] * q[l] } }
        }
    }

    /// The update rule of this iteration.
    public func updateRule(learningRate eta: Float) -> UpdateRule<Float> { rule(eta: eta, beta: Float(beta)) }

    public func afterStep(_ step: StepInfo) {
        let update = updateRule(learningRate: step.learningRate)
        for group in groups {
            update.apply(group.u.buffer, gradient: UnsafeBufferPointer(group.uGradient.buffer), columns: q.count)
        }
    }

    public func prepareEvaluation(quantized: Bool) {
        for group in groups {
            if quantized {
                LevelRows.writeHardLevels(of: group.u, levels: q, into: group.parameter.value)
            } else {
                lift(group)
            }
        }
    }

    public func diagnostics() -> WeightDiagnostics { rowStatistics(groups.map(\.u), columns: q.count) }
}
