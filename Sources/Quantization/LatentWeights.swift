import NeuralNet
import RealModule
import Simplex
import Support

/// BinaryConnect (docs/paper-notes.md §5, §10): latent float weights w̃, the network computes with
/// w = sign(w̃) with sign(0) = −1 (hardmax's lowest-index tie rule, so Prop. 3.1 holds exactly),
/// the gradient passes straight through where |w̃| ≤ 1 (∂sign(r)/∂r := 1[|r| ≤ 1], the same rule
/// as PICM's supp. Eq. 40), and w̃ is clipped to [−1, 1] after every step unless `clip` is false.
/// Binary levels {−1, 1} only.
/// The fractional network is w̃ itself (w̃ = ũq under Prop. 3.1).
public final class SignWeights: WeightMethod {
    public let name: String
    let split: ParameterSplit
    let latent: [Tensor]
    public let variables: [OptimizedTensor]
    /// Whether w̃ is clipped to [−1, 1] after every step.
    public let clip: Bool

    init(_ split: ParameterSplit, levels: QuantizationLevels, clip: Bool, name: String) throws(QuantizationError) {
        guard levels == .binary else {
            throw QuantizationError("bc quantizes with sign() onto {-1, 1}; got levels \(levels). Use --levels binary, or pq/pmf/pgd for other level sets")
        }
        self.split = split
        self.name = name
        self.clip = clip
        latent = split.latentCopies()
        variables = split.variables(latent: latent, role: "wtilde")
    }

    /// BC trains the sign network: its forward passes, and so BatchNorm's running statistics, use
    /// sign(w̃). w̃ itself is not a network to evaluate (with those statistics it scores chance), so
    /// BC, like PICM, reports its quantized network as the fractional one.
    public var hasFractionalNetwork: Bool { false }

    /// Runs `body(x, other, count)` over every quantized parameter's w̃ (`x`) beside its value or
    /// gradient (`other`), the entries of all of them split across the cores in one parallel region.
    private func forEachLatent(_ other: KeyPath<Parameter, Tensor>,
                               _ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) {
        let pairs = zip(latent, split.quantized).map { ($0.data, $1.parameter[keyPath: other].data) }
        parallelSegments(counts: latent.map(\.count)) { index, start, count in body(pairs[index].0 + start, pairs[index].1 + start, count) }
    }

    private func writeSigns() {
        forEachLatent(\.value) { x, w, count in for j in 0 ..< count { w[j] = x[j] > 0 ? 1 : -1 } }
    }

    public func prepareForward(iteration: Int) { writeSigns() }

    /// g_w̃ = g_w · 1[|w̃| ≤ 1], in place in the parameter's gradient (which the optimizer reads).
    public func pullBack(iteration: Int) {
        forEachLatent(\.gradient) { x, g, count in for j in 0 ..< count where abs(x[j]) > 1 { g[j] = 0 } }
    }

    public func afterStep(_ step: StepInfo) {
        guard clip else { return }
        forEachLatent(\.value) { x, _, count in for j in 0 ..< count { x[j] = min(1, max(-1, x[j])) } }
    }

    public func prepareEvaluation(quantized: Bool) { writeSigns() }
}

/// ProxQuant (Bai, Wang, Liberty, ICLR 2019), as its authors' code trains it: float weights w
/// stepped by the optimizer, then after every step the proximal operator of η_t·λ_e·dist(w, Q)
/// moves each weight towards its nearest level q*,
///
///     w ← q* + sign(w − q*)·max(|w − q*| − η_t·λ_e, 0),   λ_e = reg · e,
///
/// with η_t the step's learning rate and e a 0-based epoch (so λ grows linearly per epoch and is
/// 0 in the first one), and w is clipped to [q_min, q_max]. Without `span`, e is the run's own data
/// epoch, as in their code; with `span` = E, e = ⌊E·t/T⌋ for the step at 0-based iteration t of a
/// run of T iterations: the epoch of an E-epoch run laid over this one, so a run shortened from E
/// epochs ends at the λ of the full run. After the fraction `freeze` of the run's iterations the
/// weights are hard-quantized (w ← q*) and frozen: training then only moves the float parameters
/// and the BatchNorm statistics (ProxQuant's CIFAR runs freeze at epoch 200 of 300). The quantized
/// network is the nearest level of every weight (the lower level on an exact tie); the fractional
/// network is w.
public final class ProxQuantWeights: WeightMethod {
    public let name: String
    /// λ's growth per epoch.
    public let reg: Double
    /// The epochs λ counts over the run, or nil for the run's own data epochs.
    public let span: Int?
    /// Fraction of the run's iterations after which w is hard-quantized and frozen.
    public let freeze: Double
    let split: ParameterSplit
    let latent: [Tensor]
    let q: [Float]
    /// Midpoints between consecutive levels.
    let thresholds: [Float]
    public let variables: [OptimizedTensor]

    init(_ split: ParameterSplit, levels: QuantizationLevels, reg: Double, span: Int?, freeze: Double, name: String) {
        self.split = split
        self.reg = reg
        self.span = span
        self.freeze = freeze
        self.name = name
        q = levels.vector(Float.self)
        thresholds = zip(q, q.dropFirst()).map { ($0 + $1) / 2 }
        latent = split.latentCopies()
        variables = split.variables(latent: latent, role: "w")
    }

    public var hasFractionalNetwork: Bool { true }

    /// The level nearest to w: q[k] with k the number of midpoints strictly below w (the lower of
    /// two equally near levels).
    @inline(__always) static func nearest(_ w: Float, levels q: UnsafeBufferPointer<Float>, midpoints: UnsafeBufferPointer<Float>) -> Float {
        var k = 0
        while k < midpoints.count && midpoints[k] < w { k += 1 }
        return q[k]
    }

    /// The epoch e that λ_e = reg·e counts for `step`: its data epoch, or ⌊span·t/T⌋.
    public func regularizationEpoch(_ step: StepInfo) -> Int {
        guard let span else { return step.epoch }
        return span * step.iteration / step.iterations
    }

    /// The prox threshold η_t·λ_e of `step`: its learning rate times reg·e.
    public func threshold(_ step: StepInfo) -> Float {
        step.learningRate * Float(reg * Double(regularizationEpoch(step)))
    }

    /// Whether the step that completed iteration `iteration` (0-based) of `iterations` falls in the
    /// frozen part of the run: iterations ⌈freeze · iterations⌉ − 1 onwards.
    public func isFrozen(after iteration: Int, of iterations: Int) -> Bool {
        Double(iteration + 1) >= (freeze * Double(iterations)).rounded(.up)
    }

    public func prepareForward(iteration: Int) {
        for (entry, w) in zip(split.quantized, latent) { entry.parameter.value.copy(from: w) }
    }

    public func pullBack(iteration: Int) {}

    /// The prox step and the clip; from the freeze on, w ← q* (the optimizer's small moves of a
    /// frozen weight stay within half a level gap, so it returns to the same level every step).
    public func afterStep(_ step: StepInfo) {
        let frozen = isFrozen(after: step.iteration, of: step.iterations)
        let lambda = threshold(step)
        let (low, high) = (q[0], q[q.count - 1])
        let pointers = latent.map(\.data)
        q.withUnsafeBufferPointer { q in
            thresholds.withUnsafeBufferPointer { midpoints in
                // Elementwise, so splitting the entries across the cores changes no value.
                parallelSegments(counts: latent.map(\.count)) { index, start, count in
                    let x = pointers[index] + start
                    if midpoints.count == 1 {
                        // Binary levels: the nearest level without a data-dependent loop, so the compiler
                        // selects instead of branching (the same values as the general loop below).
                        let (t, q0, q1) = (midpoints[0], q[0], q[1])
                        if frozen {
                            for j in 0 ..< count { x[j] = t < x[j] ? q1 : q0 }
                        } else {
                            for j in 0 ..< count { x[j] = Self.prox(x[j], level: t < x[j] ? q1 : q0, lambda: lambda, low: low, high: high) }
                        }
                        return
                    }
                    for j in 0 ..< count {
                        let level = Self.nearest(x[j], levels: q, midpoints: midpoints)
                        x[j] = frozen ? level : Self.prox(x[j], level: level, lambda: lambda, low: low, high: high)
                    }
                }
            }
        }
    }

    /// One prox step: x moved towards `level` by λ (soft thresholding of x − level, never past it),
    /// then clipped to [low, high].
    @inline(__always) static func prox(_ x: Float, level: Float, lambda: Float, low: Float, high: Float) -> Float {
        let distance = x - level, shrunk = max(abs(distance) - lambda, 0)
        return min(high, max(low, level + (distance < 0 ? -shrunk : shrunk)))
    }

    public func prepareEvaluation(quantized: Bool) {
        for (entry, w) in zip(split.quantized, latent) {
            if quantized {
                let out = entry.parameter.value.data, x = w.data
                q.withUnsafeBufferPointer { q in
                    thresholds.withUnsafeBufferPointer { midpoints in
                        for j in 0 ..< w.count { out[j] = Self.nearest(x[j], levels: q, midpoints: midpoints) }
                    }
                }
            } else {
                entry.parameter.value.copy(from: w)
            }
        }
    }
}
