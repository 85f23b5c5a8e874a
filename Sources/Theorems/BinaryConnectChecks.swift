import NeuralNet
import Quantization
import Simplex

/// How BC and PICM are trained side by side in `proposition31`.
public struct BCPICMSetting: Sendable {
    /// BC clips w̃ to [−1, 1] and PICM projects ũ onto Δ after every step (the paper's BC ↔ ũ ∈ Δ).
    public var clip: Bool
    /// PICM's step as a multiple of BC's: the proposition needs η_u = η_w/2 (ratio 0.5).
    public var stepRatio: Double = 0.5
    public init(clip: Bool, stepRatio: Double = 0.5) {
        self.clip = clip
        self.stepRatio = stepRatio
    }
}

/// Proposition 3.1 (BinaryConnect = proximal ICM): with binary levels q = (−1, 1), full-batch
/// deterministic gradients and plain gradient steps, BC with step η_w and PICM with η_u = η_w/2 and
/// supp. Eq. 40's straight-through rule, started from w̃⁰ = ũ⁰q, satisfy w̃ᵏ = ũᵏq and
/// sign(w̃ᵏ) = hardmax(ũᵏ)q at every step k — with BC's clipping matched by projecting ũ onto Δ, and
/// without either.
///
/// Two objectives: a small MLP (the Quantization module's `bc` and `picm` methods, in Float; the
/// deviation is the largest |w̃ᵏ − ũᵏq| over all k, plus 1 for any step whose signs differ) and an
/// explicit binary quadratic L(w) = wᵀAw + bᵀw in Double (Simplex's hardmax pullback).
/// Evidence: the MLP's deviation against k, datasets `clipped` and `unclipped`.
public func proposition31(_ settings: [BCPICMSetting] = [.init(clip: true), .init(clip: false)]) -> Check {
    Check(name: "proposition-3.1", statement: "BC with η_w = PICM with η_u = η_w/2: w̃ᵏ = ũᵏq and equal signs for all k",
          tolerance: 1e-4) { trials, random in
        var deviations: [Double] = [], datasets: [(name: String, rows: [[Double]])] = []
        for setting in settings {
            let path = mlpTrajectories(setting, etaW: 0.05, steps: 40, batches: 1, adam: false, seed: random.integer(below: 1 << 30))
            deviations += path
            datasets.append((setting.clip ? "clipped" : "unclipped", path.enumerated().map { [Double($0), $1] }))
            for _ in 0 ..< max(1, trials / 10) {
                deviations.append(quadraticTrajectoryGap(setting, steps: 40, random: random))
            }
        }
        return (deviations, [CheckEvidence(name: "proposition-3.1", columns: ["iteration", "deviation"], datasets: datasets)])
    }
}

/// The comparison as training is done in practice: Adam on mini-batches, in Float, for 600 steps.
/// Adam itself keeps the equivalence (its step is invariant to the gradient's scale, and PICM's
/// gradient on ũ₁ equals BC's on w̃, so η_u = η_w/2 still gives ũq and w̃ the same step), but w̃ and
/// ũ₁ − ũ₋₁ round differently; once a weight sits near 0 that rounding flips a sign, the two
/// networks differ, and the runs drift apart. Informational: the evidence shows the step where the
/// quantized networks first differ (a jump by 1) and how far the runs then go.
public func proposition31MiniBatch() -> Check {
    Check(name: "proposition-3.1-minibatch", statement: "Adam, mini-batches, Float: rounding flips a sign and BC and PICM drift apart (informational)",
          tolerance: 1e-4, informational: true) { _, random in
        let path = mlpTrajectories(.init(clip: true), etaW: 0.01, steps: 600, batches: 8, adam: true, seed: random.integer(below: 1 << 30))
        return (path, [CheckEvidence(name: "proposition-3.1-minibatch", columns: ["iteration", "deviation"],
                                datasets: [("adam", path.enumerated().map { [Double($0), $1] })])])
    }
}

/// BC and PICM on two copies of one MLP (4×4 inputs, 10 classes, 128 random samples): returns, for
/// k = 0 … steps, max_j |w̃ᵏ_j − (ũᵏq)_j| plus 1 if the quantized networks' weights differ.
func mlpTrajectories(_ setting: BCPICMSetting, etaW: Float, steps: Int, batches: Int, adam: Bool, seed: Int) -> [Double] {
    let random = RandomSource(seed: UInt(seed))
    let count = 128
    let images = (0 ..< count * 16).map { _ in Float(random.gaussian()) }
    let labels = (0 ..< count).map { _ in Int32(random.integer(below: 10)) }
    func network() -> Sequential {
        let model = Architecture.mlp.build(imageShape: [4, 4, 1], classes: 10)
        initialize(model, using: RandomSource(seed: UInt(seed)))
        return model
    }
    let bcModel = network(), picmModel = network()
    guard let bc = try? MethodSpec(parsing: setting.clip ? "bc" : "bc[clip=false]").makeMethod(for: bcModel),
          let picm = try? MethodSpec(parsing: "picm").makeMethod(for: picmModel) else { return [.infinity] }
    let simplex = Projection<Float>.sparsemax(beta: 1)
    let tildes = Array(picm.variables.prefix(bc.variables.count))
    func projectOntoSimplex() {
        guard setting.clip else { return }
        for t in tildes { simplex.apply(UnsafeBufferPointer(t.value.buffer), into: t.value.buffer, columns: 2) }
    }
    // Matched starts: w̃⁰ = ũ⁰q (after putting ũ⁰ in Δ when clipping).
    projectOntoSimplex()
    for (w, t) in zip(bc.variables, tildes) { for j in 0 ..< w.value.count { w.value[j] = t.value[2 * j + 1] - t.value[2 * j] } }
    let etaU = Float(setting.stepRatio) * etaW
    let optimizers: [any Optimizer] = adam ? [Adam(bc.variables), Adam(picm.variables)] : [SGD(bc.variables), SGD(picm.variables)]
    let loss = SoftmaxCrossEntropy()
    let batchSize = count / batches
    let input = Tensor(shape: [batchSize, 4, 4, 1])
    var path: [Double] = []
    for k in 0 ... steps {
        var gap = 0.0
        for (w, t) in zip(bc.variables, tildes) {
            for j in 0 ..< w.value.count {
                let uq = t.value[2 * j + 1] - t.value[2 * j]
                gap = max(gap, Double(abs(w.value[j] - uq)))
            }
        }
        bc.prepareEvaluation(quantized: true)
        picm.prepareEvaluation(quantized: true)
        let same = zip(bcModel.namedParameters(prefix: ""), picmModel.namedParameters(prefix: "")).allSatisfy {
            $0.parameter.value.array == $1.parameter.value.array
        }
        path.append(gap + (same ? 0 : 1))
        guard k < steps else { break }
        let batch = k % batches
        input.assign(Array(images[batch * batchSize * 16 ..< (batch + 1) * batchSize * 16]))
        let batchLabels = Array(labels[batch * batchSize ..< (batch + 1) * batchSize])
        for (index, (model, method)) in [(bcModel, bc), (picmModel, picm)].enumerated() {
            let step = StepInfo(iteration: k, epoch: 0, learningRate: index == 0 ? etaW : etaU, iterations: steps)
            do {
                try method.step(step, optimizer: optimizers[index]) {
                    let logits = model.forward(input, training: true)
                    _ = batchLabels.withUnsafeBufferPointer { loss(logits, labels: $0) }
                    _ = model.backward(loss.gradient, needsInputGradient: false)
                }
            } catch {
                return [.infinity]   // a non-finite state: no trajectory to compare
            }
        }
        projectOntoSimplex()
    }
    return path
}

/// BC and PICM on an explicit binary quadratic L(w) = wᵀAw + bᵀw in Double, from w̃⁰ = ũ⁰q:
/// the largest |w̃ᵏ − ũᵏq| over k ≤ steps, plus 1 if a sign ever differs.
func quadraticTrajectoryGap(_ setting: BCPICMSetting, steps: Int, random: RandomSource) -> Double {
    let m = 6
    var a = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
    for i in 0 ..< m { for j in i ..< m { a[i][j] = random.gaussian(); a[j][i] = a[i][j] } }
    let b = (0 ..< m).map { _ in random.gaussian() }
    let gradient = { (w: [Double]) in (0 ..< m).map { i in b[i] + 2 * (0 ..< m).reduce(0) { $0 + a[i][$1] * w[$1] } } }
    let etaW = 0.1, etaU = setting.stepRatio * etaW
    var tilde = RowMatrix(rows: m, columns: 2, storage: (0 ..< m).flatMap { _ in [random.uniform(-1, 1), random.uniform(-1, 1)] })
    if setting.clip { tilde = Projection.sparsemax(beta: 1)(tilde) }
    var wtilde = (0 ..< m).map { tilde[$0, 1] - tilde[$0, 0] }
    var worst = 0.0
    for _ in 0 ... steps {
        let u = Projection<Double>.hardmax(tilde)
        let bcWeights = wtilde.map { $0 > 0 ? 1.0 : -1.0 }
        let picmWeights = (0 ..< m).map { u[$0, 1] - u[$0, 0] }
        worst = max(worst, (0 ..< m).map { abs(wtilde[$0] - (tilde[$0, 1] - tilde[$0, 0])) }.max()! + (bcWeights == picmWeights ? 0 : 1))
        let gw = gradient(bcWeights), gu = gradient(picmWeights)
        wtilde = (0 ..< m).map { j in
            let next = wtilde[j] - etaW * (abs(wtilde[j]) <= 1 ? gw[j] : 0)
            return setting.clip ? min(max(next, -1), 1) : next
        }
        let gradientU = RowMatrix(rows: m, columns: 2, storage: gu.flatMap { [-$0, $0] })
        let step = Projection<Double>.hardmax.pullback(at: tilde, upstream: gradientU)
        tilde = RowMatrix(rows: m, columns: 2, storage: zip(tilde.storage, step.storage).map { $0 - etaU * $1 })
        if setting.clip { tilde = Projection.sparsemax(beta: 1)(tilde) }
    }
    return worst
}
