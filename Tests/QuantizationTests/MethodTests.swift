import Foundation
import NeuralNet
import Quantization
import Simplex
import Testing

/// Each method's forward weights and gradient pull-back on one Linear(3→2) layer, against a direct
/// computation or central finite differences of L = Σ cᵢ yᵢ.
///
/// Tolerances: the network computes in Float (ε ≈ 6e-8); L is summed in Double. With h = 1e-3 on
/// ũ, the difference quotient's rounding error is ≈ ε·|L|/h ≈ 1e-4 (|L| ≲ 2) and the truncation error
/// h²·|L'''| ≲ 1e-5 for softmax with β = 2, so 2e-3 absolute is generous yet a wrong Jacobian
/// (missing β, the reference Jacobian, a transposed index) is off by ≥ 0.05 on these values.
@Suite struct MethodTests {
    let input: Tensor = Tensor(shape: [4, 3], values: [0.5, -1, 0.25, 1.5, 0.3, -0.7, -0.2, 0.8, 1.1, 0.9, -0.4, 0.6])
    let weights: [Float] = [0.3, -0.6, 0.05, -0.25, 0.7, -0.9]
    let biases: [Float] = [0.1, -0.35]
    let c: [Float] = [1, -0.5, 0.25, 2, -1, 0.75, 0.5, -1.5]

    func layer() -> Sequential {
        let linear = Linear(3, 2)
        linear.weight.value.assign(weights)
        linear.bias!.value.assign(biases)
        return Sequential([linear])
    }

    /// L at the current parameters (forward only).
    func objective(_ model: Sequential) -> Double {
        let y = model.forward(input, training: true)
        return (0 ..< y.count).reduce(0.0) { $0 + Double(c[$1]) * Double(y[$1]) }
    }

    /// prepareForward, forward, backward, pullBack: returns the variables' gradients.
    func analytic(_ model: Sequential, _ method: any WeightMethod) -> [[Float]] {
        method.prepareForward(iteration: 0)
        _ = objective(model)
        _ = model.backward(Tensor(shape: [4, 2], values: c), needsInputGradient: false)
        method.pullBack(iteration: 0)
        return method.variables.map(\.gradientValues)
    }

    func numeric(_ model: Sequential, _ method: any WeightMethod, h: Float = 1e-3) -> [[Float]] {
        method.variables.map { variable in
            (0 ..< variable.value.count).map { i in
                let saved = variable.value[i]
                variable.value[i] = saved + h
                method.prepareForward(iteration: 0)
                let plus = objective(model)
                variable.value[i] = saved - h
                method.prepareForward(iteration: 0)
                let minus = objective(model)
                variable.value[i] = saved
                return Float((plus - minus) / Double(2 * h))
            }
        }
    }

    func close(_ a: [[Float]], _ b: [[Float]], _ tolerance: Float) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { x, y in x.count == y.count && zip(x, y).allSatisfy { abs($0 - $1) <= tolerance } }
    }

    @Test(arguments: ["pmf[beta0=2,cap=100]", "pgd[beta0=2,cap=100]"])
    func smoothMethodsMatchFiniteDifferences(_ spec: String) throws {
        let model = layer()
        let method = try MethodSpec(parsing: spec).makeMethod(for: model, levels: .ternary)
        let exact = analytic(model, method), estimate = numeric(model, method)
        #expect(close(exact, estimate, 2e-3), "\(spec): \(exact) vs \(estimate)")
        #expect(exact.flatMap { $0 }.contains { abs($0) > 0.05 })
    }

    @Test func pmfForwardIsSoftmaxOfBetaUtildeTimesQ() throws {
        let model = layer()
        let method = try MethodSpec(parsing: "pmf[beta0=2,cap=100]").makeMethod(for: model, levels: .kLevel(4))
        method.prepareForward(iteration: 0)
        let q = [-2.0, -1, 1, 2]
        let linear = model.layers[0] as! Linear
        for (j, w) in weights.enumerated() {
            // ũ_λ = w q_λ, u = softmax(2ũ), w' = u·q, in Double.
            let e = q.map { Foundation.exp(2 * Double(w) * $0) }
            let expected = zip(e, q).reduce(0) { $0 + $1.0 * $1.1 } / e.reduce(0, +)
            #expect(abs(Double(linear.weight.value[j]) - expected) < 1e-5)
        }
    }

    /// `jacobian=reference` multiplies by the reference code's β(I − s′s′ᵀ), s′ = softmax(β·s), and
    /// `jacobian=onesoftmax` by β(I − ssᵀ), s = softmax(βũ): each against that formula in Double
    /// through a whole layer's pullback, and neither is the derivative.
    @Test(arguments: [SoftmaxJacobian.reference, .oneSoftmax])
    func referenceJacobiansAreTheirMatricesNotTheDerivative(_ jacobian: SoftmaxJacobian) throws {
        let model = layer()
        let method = try MethodSpec(parsing: "pmf[beta0=2,cap=100,jacobian=\(jacobian.rawValue)]").makeMethod(for: model, levels: .binary)
        let gradients = analytic(model, method)
        // g_u = g_w qᵀ, out = β (g_u − p ⟨p, g_u⟩) with s = softmax(2ũ), ũ = (−w, w), p = softmax(2s) or s.
        let linear = model.layers[0] as! Linear
        let gw = linear.weight.gradient.array
        for (j, w) in weights.enumerated() {
            let s1 = 1 / (1 + Foundation.exp(-4 * Double(w))), s = [1 - s1, s1]
            let second1 = 1 / (1 + Foundation.exp(-2 * (s[1] - s[0])))
            let p = jacobian == .reference ? [1 - second1, second1] : s
            let gu = [-Double(gw[j]), Double(gw[j])]
            let dot = p[0] * gu[0] + p[1] * gu[1]
            for l in 0 ..< 2 { #expect(abs(Double(gradients[0][2 * j + l]) - 2 * (gu[l] - p[l] * dot)) < 1e-4) }
        }
        #expect(!close(gradients, numeric(model, method), 2e-3))
    }

    @Test func picmIsHardmaxWithTheStraightThroughJacobian() throws {
        let model = layer()
        let method = try MethodSpec(parsing: "picm").makeMethod(for: model)
        let gradients = analytic(model, method)
        let linear = model.layers[0] as! Linear
        let gw = linear.weight.gradient.array
        for (j, w) in weights.enumerated() {
            #expect(linear.weight.value[j] == (w > 0 ? 1 : -1))
            // ũ = (−w, w): |ũ₋₁ − ũ₁| = 2|w| ≤ 1 passes; g_ũ = ½ I (g_u,−1 − g_u,1)(1, −1), g_u = g_w (−1, 1).
            let pass: Float = 2 * abs(w) <= 1 ? 1 : 0
            #expect(gradients[0][2 * j] == pass * -gw[j])
            #expect(gradients[0][2 * j + 1] == pass * gw[j])
        }
        #expect(gradients[0].contains(0) && gradients[0].contains { $0 != 0 })
    }

    @Test func binaryConnectIsSignWithClippedStraightThrough() throws {
        let model = layer()
        (model.layers[0] as! Linear).weight.value[1] = -1.5
        let method = try MethodSpec(parsing: "bc").makeMethod(for: model)
        method.variables[0].value[0] = 0
        let gradients = analytic(model, method)
        let linear = model.layers[0] as! Linear
        #expect(linear.weight.value.array == [-1, -1, 1, -1, 1, -1])  // sign(0) = −1
        let gw = linear.weight.gradient.array
        #expect(gradients[0] == gw.enumerated().map { $0.offset == 1 ? 0 : $0.element })
        method.variables[0].value[2] = 3
        method.afterStep(StepInfo(iteration: 0, epoch: 0, learningRate: 0.1, iterations: 1000))
        #expect(method.variables[0].value.array.allSatisfy { abs($0) <= 1 } && method.variables[0].value[2] == 1)
    }

    /// ProxQuant's step written out in Double: the nearest level q* (midpoints ±½ for ternary),
    /// w ← clip(q* + sign(w − q*)·max(|w − q*| − η·reg·e, 0), −1, 1), e the 0-based epoch.
    func proxQuantByHand(_ w: [Float], eta: Double, reg: Double, epoch: Int) -> [Float] {
        w.map { x in
            let level = Double(x) < -0.5 ? -1.0 : (Double(x) <= 0.5 ? 0.0 : 1.0)
            let distance = Double(x) - level, shrunk = max(abs(distance) - eta * reg * Double(epoch), 0)
            return Float(min(1, max(-1, level + (distance < 0 ? -shrunk : shrunk))))
        }
    }

    @Test func proxQuantSoftThresholdsTowardsTheNearestLevel() throws {
        let model = layer()
        let method = try MethodSpec(parsing: "pq[reg=0.1]").makeMethod(for: model, levels: .ternary)
        let gradients = analytic(model, method)
        #expect(gradients[0] == (model.layers[0] as! Linear).weight.gradient.array)
        method.variables[0].value[4] = 1.7  // outside [−1, 1]: shrunk towards 1, then clipped
        let before = method.variables[0].value.array
        method.afterStep(StepInfo(iteration: 0, epoch: 2, learningRate: 0.5, iterations: 1000))  // threshold 0.5 · 0.1 · 2
        // 0.3 → 0.2; −0.6 → −0.7 (nearest −1); 0.05 → 0; −0.25 → −0.15; 1.7 → 1.6 → 1; −0.9 → −1.
        let expected: [Float] = [0.2, -0.7, 0, -0.15, 1, -1]
        #expect(zip(method.variables[0].value.array, expected).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(zip(method.variables[0].value.array, proxQuantByHand(before, eta: 0.5, reg: 0.1, epoch: 2)).allSatisfy { abs($0 - $1) < 1e-6 })
        method.prepareEvaluation(quantized: true)
        #expect((model.layers[0] as! Linear).weight.value.array == [0, -1, 0, 0, 1, -1])
        let levels = QuantizationLevels.ternary
        for w in stride(from: -1.6, through: 1.6, by: 0.05) {
            let x = Float(w)
            let other = layer()
            let m = try MethodSpec(parsing: "pq").makeMethod(for: other, levels: levels)
            m.variables[0].value[0] = x
            m.prepareEvaluation(quantized: true)
            #expect(Double((other.layers[0] as! Linear).weight.value[0]) == levels.values[levels.nearestLevelIndex(to: Double(x))])
        }
    }

    /// Binary levels take their own loop: the prox step written out in Float (nearest level −1 up to
    /// and including the midpoint 0), bit for bit, then the frozen step's levels.
    @Test func proxQuantBinaryStepIsTheFormulaBitForBit() throws {
        let model = layer()
        let method = try MethodSpec(parsing: "pq[reg=0.1,freeze=0.5]").makeMethod(for: model, levels: .binary)
        let w = method.variables[0].value
        for (i, x) in [Float(0), 0.3, -0.05, 1.7, -3, 0.999].enumerated() { w[i] = x }
        let before = w.array, lambda = Float(0.5) * Float(0.1 * 2)
        method.afterStep(StepInfo(iteration: 0, epoch: 2, learningRate: 0.5, iterations: 10))
        let expected = before.map { x -> Float in
            let level: Float = 0 < x ? 1 : -1
            let distance = x - level, shrunk = max(abs(distance) - lambda, 0)
            return min(1, max(-1, level + (distance < 0 ? -shrunk : shrunk)))
        }
        #expect(w.array.map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(abs(w[0] + 0.1) < 1e-6 && w[3] == 1 && w[4] == -1)  // 0 → −1 + (1 − 0.1); 1.7 and −3 clipped
        method.afterStep(StepInfo(iteration: 4, epoch: 3, learningRate: 0.5, iterations: 10))
        #expect(w.array == before.map { 0 < $0 ? 1 : -1 })
    }

    @Test func proxQuantsStrengthGrowsPerEpochWithTheLearningRateAndFreezesAtTheEnd() throws {
        let model = layer()
        let method = try MethodSpec(parsing: "pq[reg=0.02,freeze=0.5]").makeMethod(for: model, levels: .ternary)
        let w = method.variables[0].value
        // Epoch 0: λ = 0, only the clip acts.
        method.afterStep(StepInfo(iteration: 0, epoch: 0, learningRate: 0.5, iterations: 10))
        #expect(w.array == weights)
        // Epochs 1, 3 at η = 0.5 and 0.25: threshold η · 0.02 · e, against the formula.
        for (iteration, epoch, eta) in [(1, 1, 0.5), (2, 3, 0.25), (3, 3, 0.5)] {
            let expected = proxQuantByHand(w.array, eta: eta, reg: 0.02, epoch: epoch)
            method.afterStep(StepInfo(iteration: iteration, epoch: epoch, learningRate: Float(eta), iterations: 10))
            #expect(zip(w.array, expected).allSatisfy { abs($0 - $1) < 1e-6 }, "iteration \(iteration)")
        }
        #expect(!w.array.allSatisfy { [-1, 0, 1].contains($0) })
        // The step completing iteration 5 of 10 (index 4) is the first frozen one: every weight at its level,
        // and it stays there whatever the optimizer does.
        method.afterStep(StepInfo(iteration: 4, epoch: 3, learningRate: 0.5, iterations: 10))
        #expect(w.array == [0, -1, 0, 0, 1, -1])
        w[0] = 0.3
        w[4] = 0.6
        method.afterStep(StepInfo(iteration: 5, epoch: 3, learningRate: 0.5, iterations: 10))
        #expect(w.array == [0, -1, 0, 0, 1, -1])
        #expect(try MethodSpec(parsing: "pq[reg=0.02,freeze=0.5]").description == "pq[reg=0.02,freeze=0.5]")
    }

    @Test func pmfWithoutTildeIsTheSharedUpdateRule() throws {
        let model = layer()
        let spec = try MethodSpec(parsing: "pmf[beta0=2,cap=100,tilde=false]")
        let method = try spec.makeMethod(for: model, levels: .ternary)
        #expect(method.variables.isEmpty)
        let u0 = method.stateTensors[0].tensor.array
        let q: [Float] = [-1, 0, 1]
        // u⁰ = softmax(2·w q).
        let start = Projection<Float>.softmax(beta: 2)(RowMatrix(rows: 6, columns: 3, storage: weights.flatMap { w in q.map { w * $0 } })).storage
        #expect(zip(u0, start).allSatisfy { abs($0 - $1) < 1e-6 })
        _ = analytic(model, method)
        let gw = (model.layers[0] as! Linear).weight.gradient.array
        method.afterStep(StepInfo(iteration: 0, epoch: 0, learningRate: 0.05, iterations: 1000))
        let gu = RowMatrix(rows: 6, columns: 3, storage: gw.flatMap { g in q.map { g * $0 } })
        let byHand = UpdateRule<Float>.proximalMeanField(eta: 0.05, beta: 2)(RowMatrix(rows: 6, columns: 3, storage: u0), gradient: gu)
        #expect(method.stateTensors[0].tensor.array == byHand.storage)
        #expect(byHand.storage != u0)
        // Mirror descent likewise.
        let mdModel = layer()
        let md = try MethodSpec(parsing: "md[beta0=2,cap=100]").makeMethod(for: mdModel, levels: .ternary)
        let v0 = md.stateTensors[0].tensor.array
        #expect(v0 == u0)
        _ = analytic(mdModel, md)
        md.afterStep(StepInfo(iteration: 0, epoch: 0, learningRate: 0.05, iterations: 1000))
        let eg = UpdateRule<Float>.exponentiatedGradient(eta: 0.05, beta: 2)(RowMatrix(rows: 6, columns: 3, storage: v0), gradient: gu)
        #expect(md.stateTensors[0].tensor.array == eg.storage)
    }

    @Test func betaScheduleMultipliesEveryNIterationsUpToTheCap() throws {
        let schedule = try MethodSpec(parsing: "pmf[rho=2,every=10,cap=20]").beta
        #expect(schedule.beta(at: 0) == 1 && schedule.beta(at: 9) == 1 && schedule.beta(at: 10) == 2)
        #expect(schedule.beta(at: 29) == 4 && schedule.beta(at: 30) == 8 && schedule.beta(at: 40) == 16)
        #expect(schedule.beta(at: 50) == 20 && schedule.beta(at: 1_000_000) == 20)
        let defaults = try MethodSpec(parsing: "pmf").beta
        #expect(defaults == BetaSchedule(initial: 1, rho: 1.2, every: 100, cap: 1e4))
        #expect(abs(defaults.beta(at: 250) - 1.44) < 1e-12)
        let model = layer()
        let method = try MethodSpec(parsing: "pmf[rho=2,every=10,cap=20]").makeMethod(for: model)
        method.prepareForward(iteration: 35)
        #expect(method.beta == 8)
    }

    @Test func methodSpecsPrintAndParseBack() throws {
        for text in ["ref", "bc", "picm", "picm[init=independent]", "pq", "pq[reg=0.0001]", "pq[span=40,freeze=0.5]", "pgd[rho=1.05]",
                     "pmf", "pmf[jacobian=reference,tilde=false]", "pmf[jacobian=onesoftmax,init=independent]",
                     "md[rho=1.1,every=50,cap=100,init=independent]", "pmf[beta0=0.5,rho=1.01,every=7,cap=10000]"] {
            let spec = try MethodSpec(parsing: text)
            #expect(try MethodSpec(parsing: spec.description) == spec, "\(text) → \(spec)")
        }
        #expect(try MethodSpec(parsing: "pmf").description == "pmf[rho=1.2,every=100,cap=10000,jacobian=exact,init=tied]")
        #expect(try MethodSpec(parsing: "picm").description == "picm[init=tied]")
        #expect(try MethodSpec(parsing: "pgd[init=independent]").description == "pgd[rho=1.2,every=100,cap=10000,init=independent]")
        #expect(try MethodSpec(parsing: "pq").description == "pq[reg=0.001]")
        #expect(try MethodSpec(parsing: "pq[freeze=0.5,span=40]").description == "pq[reg=0.001,span=40,freeze=0.5]")
    }

    @Test(arguments: [
        ("pmf[rh=1.2]", "method 'pmf' has no setting 'rh'; it takes beta0, rho, every, cap, jacobian, tilde, init"), ("pmf[rho=abc]", "rho=abc"), ("pmf[rho=0.5]", "rho"), ("bogus", "unknown method"),
        ("pmf[rho=1.2", "malformed"), ("pmf[rho]", "not key=value"), ("bc[rho=2]", "it takes clip"), ("ref[rho=2]", "it takes no settings"),
        ("pmf[jacobian=magic]", "jacobian"), ("pmf[tilde=maybe]", "tilde"), ("pmf[every=0]", "every"), ("", "malformed"),
        ("pmf[rho=1.1,rho=1.2]", "twice"), ("pq[reg=-1]", "reg"), ("pq[freeze=0]", "freeze"), ("pq[freeze=1.5]", "freeze"),
        ("pq[span=0]", "span must be an integer ≥ 1"), ("pq[span=2.5]", "span"), ("pq[init=tied]", "it takes reg, span, freeze"),
        ("picm[init=random]", "init must be one of tied, independent"), ("bc[init=tied]", "it takes clip"),
    ])
    func malformedSpecsAreClearErrors(_ text: String, _ fragment: String) {
        #expect(throwsMessage(containing: [fragment]) { _ = try MethodSpec(parsing: text) } != nil)
        #expect(!(throwsMessage(containing: [fragment]) { _ = try MethodSpec(parsing: text) } ?? "MISMATCH").hasPrefix("MISMATCH"))
    }

    @Test func levelRestrictionsAreClearErrors() throws {
        let message = throwsMessage(containing: ["picm", "binary"]) { _ = try MethodSpec(parsing: "picm").makeMethod(for: layer(), levels: .ternary) }
        #expect(message != nil && !message!.hasPrefix("MISMATCH"))
        let bc = throwsMessage(containing: ["bc", "binary"]) { _ = try MethodSpec(parsing: "bc").makeMethod(for: layer(), levels: .kLevel(4)) }
        #expect(bc != nil && !bc!.hasPrefix("MISMATCH"))
        let prefix = throwsMessage(containing: ["--float-layers", "9"]) { _ = try MethodSpec(parsing: "pmf").makeMethod(for: layer(), floatPrefixes: ["9"]) }
        #expect(prefix != nil && !prefix!.hasPrefix("MISMATCH"))
    }

    @Test func floatLayersStayFloatAndEverythingElseIsQuantized() throws {
        let model = Architecture.lenet300.build(imageShape: [4, 4, 1], classes: 3)
        initialize(model, using: RandomSource(seed: 3))
        let method = try MethodSpec(parsing: "pmf").makeMethod(for: model, floatPrefixes: ["1", "7"])
        let names = method.stateTensors.map(\.name)
        // Layers: 0 Flatten, 1 Linear, 2 BN, 3 ReLU, 4 Linear, 5 BN, 6 ReLU, 7 Linear (BN has no parameters).
        #expect(names.filter { $0.hasSuffix("/utilde") } == ["4.weight/utilde", "4.bias/utilde"])
        #expect(names.contains("1.weight") && names.contains("7.bias") && !names.contains("1.weight/utilde"))
        let before = (model.layers[1] as! Linear).weight.value.array
        method.prepareEvaluation(quantized: true)
        #expect((model.layers[1] as! Linear).weight.value.array == before)
        #expect((model.layers[4] as! Linear).weight.value.array.allSatisfy { $0 == 1 || $0 == -1 })
    }
}
