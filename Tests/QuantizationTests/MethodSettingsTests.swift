import Foundation
import NeuralNet
import Quantization
import Simplex
import Testing

/// The settings that choose between the paper's text and its authors' code (issue #23): how ũ⁰
/// starts (`init=`), ProxQuant's λ (`span=`, with a constant or stepped learning rate) and the
/// BatchNorm statistics evaluated networks use (`bn`).
@Suite struct MethodSettingsTests {
    /// A network that is only ever built, never run: a 3→16 3×3 convolution and a 50→2000 linear
    /// layer, whose parameters are the ũ⁰ shapes under test.
    func parameters(seed: UInt = 7) -> (model: Sequential, random: RandomSource) {
        let random = RandomSource(seed: seed)
        let model = Sequential([Conv2d(3, 16, kernel: 3), Flatten(), Linear(50, 2000)])
        initialize(model, using: random)
        return (model, random)
    }

    /// The m×d matrices ũ⁰ of `spec` on `parameters()`, by parameter name.
    func scores(_ spec: String, levels: QuantizationLevels = .binary) throws -> [String: [Float]] {
        let (model, random) = parameters()
        let method = try MethodSpec(parsing: spec).makeMethod(for: model, levels: levels, random: random)
        return Dictionary(uniqueKeysWithValues: method.stateTensors.map { ($0.name, $0.tensor.array) })
    }

    /// Each method's `settingKeys` are exactly the settings its parser reads (the parser lists them
    /// when it refuses an unknown one).
    @Test func settingKeysAreWhatTheParserReads() throws {
        for kind in MethodKind.allCases {
            let takes = kind.settingKeys.isEmpty ? "it takes no settings" : "it takes \(kind.settingKeys.joined(separator: ", "))"
            expectError(["has no setting 'nosuch'; \(takes)"]) { _ = try MethodSpec(parsing: "\(kind.rawValue)[nosuch=1]") }
        }
    }

    /// Sample mean and (biased) variance in Double.
    func moments(_ x: [Float]) -> (mean: Double, variance: Double) {
        let mean = x.reduce(0.0) { $0 + Double($1) } / Double(x.count)
        return (mean, x.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(x.count))
    }

    /// `init=independent`: each entry of ũ⁰ is Xavier-uniform for the layer with d times the outputs
    /// — bound² = 6/(fan_in + d·fan_out), written out here from the layer sizes — or N(0, 0.1²) for
    /// biases. Mean and variance are checked within 5 standard errors of the sample size (for
    /// U(−a, a): sd of the mean a/√(3N), of the variance √(4a⁴/45N); for N(0, σ²): σ/√N and σ²√(2/N)),
    /// which the bound without the factor d (variance off by 1.5–2×) or σ² = 0.1 miss by far; every
    /// uniform draw lies within the bound and the largest reaches 0.98 of it.
    @Test(arguments: [(QuantizationLevels.binary, 2), (.ternary, 3)])
    func independentScoresAreDrawnLikeTheWideLayersWeights(_ levels: QuantizationLevels, _ d: Int) throws {
        let tilde = try scores("pmf[init=independent]", levels: levels)
        let cases: [(name: String, count: Int, boundSquared: Double?)] = [
            ("0.weight/utilde", 16 * 27 * d, 6 / Double(27 + d * 16 * 9)),  // [16, 3, 3, 3]: fan_in 3·3·3, fan_out d·16·3·3
            ("0.bias/utilde", 16 * d, nil),
            ("2.weight/utilde", 2000 * 50 * d, 6 / Double(50 + d * 2000)),  // [2000, 50]: fan_in 50, fan_out d·2000
            ("2.bias/utilde", 2000 * d, nil),
        ]
        for (name, count, boundSquared) in cases {
            let x = try #require(tilde[name])
            #expect(x.count == count, "\(name)")
            let n = Double(count), (mean, variance) = moments(x)
            if let a2 = boundSquared {
                #expect(abs(mean) < 5 * (a2 / 3 / n).squareRoot(), "\(name): mean \(mean)")
                #expect(abs(variance - a2 / 3) < 5 * (4 * a2 * a2 / 45 / n).squareRoot(), "\(name): variance \(variance) vs \(a2 / 3)")
                let largest = Double(x.map { abs($0) }.max()!)
                #expect(largest <= a2.squareRoot() * (1 + 1e-6) && largest >= 0.98 * a2.squareRoot(), "\(name): largest \(largest)")
            } else {
                #expect(abs(mean) < 5 * 0.1 / n.squareRoot(), "\(name): mean \(mean)")
                #expect(abs(variance - 0.01) < 5 * 0.01 * (2 / n).squareRoot(), "\(name): variance \(variance)")
            }
        }
    }

    /// The d entries of a row are drawn independently: over the 100 000 rows of the linear layer's
    /// binary ũ⁰ the correlation of the two columns is within 5/√m of 0 (tied rows (−w, w) have −1).
    @Test func independentRowsHaveUncorrelatedEntries() throws {
        func correlation(_ x: [Float]) -> Double {
            let first = stride(from: 0, to: x.count, by: 2).map { x[$0] }, second = stride(from: 1, to: x.count, by: 2).map { x[$0] }
            let (a, b) = (moments(first), moments(second))
            let covariance = zip(first, second).reduce(0.0) { $0 + (Double($1.0) - a.mean) * (Double($1.1) - b.mean) } / Double(first.count)
            return covariance / (a.variance * b.variance).squareRoot()
        }
        let independent = try #require(try scores("pgd[init=independent]")["2.weight/utilde"])
        #expect(abs(correlation(independent)) < 5 / (100_000.0).squareRoot())
        let tied = try #require(try scores("pgd[init=tied]")["2.weight/utilde"])
        #expect(abs(correlation(tied) + 1) < 1e-6)
    }

    /// `init=tied` (the default) is ũ⁰_jλ = w_j·q_λ from the network's initialisation, exactly, for
    /// every lifted method and level set; `md` and `pmf[tilde=false]` start from u⁰ = softmax(β₀ũ⁰).
    @Test func tiedScoresAreTheNetworksWeightsTimesTheLevels() throws {
        let (model, _) = parameters()
        let weights = Dictionary(uniqueKeysWithValues: model.namedParameters(prefix: "").map { ($0.name, $0.parameter.value.array) })
        for (spec, levels) in [("picm", QuantizationLevels.binary), ("pgd[init=tied]", .ternary), ("pmf", try QuantizationLevels.kLevel(4))] {
            let q = levels.vector(Float.self)
            for (name, tilde) in try scores(spec, levels: levels) {
                let w = try #require(weights[String(name.prefix { $0 != "/" })])
                #expect(tilde == w.flatMap { wj in q.map { wj * $0 } }, "\(spec) \(name)")
            }
        }
        for spec in ["md[beta0=2,cap=100]", "pmf[beta0=2,cap=100,tilde=false]"] {
            let u = try #require(try scores(spec)["2.weight/u"]), w = try #require(weights["2.weight"])
            for j in [0, 17, 99_999] {
                let expected = 1 / (1 + Foundation.exp(-2 * (2 * Double(w[j]))))  // softmax(2·(−w, w))₁
                #expect(abs(Double(u[2 * j + 1]) - expected) < 1e-6 && abs(Double(u[2 * j]) - (1 - expected)) < 1e-6)
            }
        }
    }

    /// The documented draw order: the network's initialisation first, then ũ⁰ parameter by parameter
    /// in forward order, each in row-major order; the same seed gives the same bits; `md` and
    /// `pmf[tilde=false]` take u⁰ = softmax(β₀ũ⁰) of those draws; without a random source the
    /// independent start is a clear error.
    @Test func independentScoresFollowTheDocumentedDrawOrder() throws {
        let tilde = try scores("picm[init=independent]")
        #expect(try scores("picm[init=independent]") == tilde)
        let replica = parameters().random  // the same seed, past the same network draws
        let convBound = (6 / Double(27 + 2 * 144)).squareRoot(), linearBound = (6 / Double(50 + 2 * 2000)).squareRoot()
        let conv = (0 ..< 864).map { _ in Float(replica.uniform(-convBound, convBound)) }
        let convBias = (0 ..< 32).map { _ in Float(replica.gaussian(sigma: 0.1)) }
        let linear = (0 ..< 200_000).map { _ in Float(replica.uniform(-linearBound, linearBound)) }
        #expect(tilde["0.weight/utilde"] == conv && tilde["0.bias/utilde"] == convBias && tilde["2.weight/utilde"] == linear)
        let u = try #require(try scores("md[init=independent]")["2.weight/u"])
        for j in [0, 5, 99_999] {
            let expected = 1 / (1 + Foundation.exp(-(Double(linear[2 * j + 1]) - Double(linear[2 * j]))))  // β₀ = 1
            #expect(abs(Double(u[2 * j + 1]) - expected) < 1e-6)
        }
        let message = throwsMessage(containing: ["init=independent", "random source"]) {
            _ = try MethodSpec(parsing: "pmf[init=independent]").makeMethod(for: parameters().model)
        }
        #expect(message?.hasPrefix("MISMATCH") == false)
    }

    /// ProxQuant's threshold η_t·reg·e by hand, reg = 10⁻³, 500 iterations per epoch:
    /// - constant rate 0.01 (its authors' code), data epochs: iteration 12 345 is in epoch 24 → 2.4e-4;
    /// - the stepped rate (×0.2 every 7 000): iteration 7 500 runs at 0.002 in epoch 15 → 3e-5, and
    ///   iteration 14 500 at 4e-4 in epoch 29 → 1.16e-5;
    /// - a run shortened to 2 000 iterations (4 epochs): without `span` its next-to-last step counts
    ///   epoch 3 (3e-5); with `span=40` it counts ⌊40·1998/2000⌋ = 39, the paper run's last epoch
    ///   (3.9e-4), as the paper run's next-to-last step does; iterations 49 and 50 straddle its first
    ///   λ-epoch boundary (0, then 1e-5).
    /// After such a step (`freeze=1`, so only the last step freezes) a weight at 0.5 moves towards 1
    /// by exactly that threshold.
    @Test func proxQuantThresholdsMatchHandComputedValues() throws {
        func method(_ spec: String) throws -> ProxQuantWeights {
            try #require(try MethodSpec(parsing: spec).makeMethod(for: Sequential([Linear(2, 1)])) as? ProxQuantWeights)
        }
        let plain = try method("pq[reg=0.001,freeze=1]"), spanned = try method("pq[reg=0.001,span=40,freeze=1]")
        let stepped = LearningRateSchedule.step(every: 7000, factor: 0.2)
        func step(_ iteration: Int, of iterations: Int, rate: Double) -> StepInfo {
            StepInfo(iteration: iteration, epoch: iteration / 500, learningRate: Float(rate), iterations: iterations)
        }
        let cases: [(ProxQuantWeights, StepInfo, Double)] = [
            (plain, step(12_345, of: 20_000, rate: LearningRateSchedule.constant.rate(base: 0.01, at: 12_345)), 2.4e-4),
            (plain, step(7_500, of: 20_000, rate: stepped.rate(base: 0.01, at: 7_500)), 3e-5),
            (plain, step(14_500, of: 20_000, rate: stepped.rate(base: 0.01, at: 14_500)), 1.16e-5),
            (spanned, step(19_998, of: 20_000, rate: 0.01), 3.9e-4),
            (plain, step(1_998, of: 2_000, rate: 0.01), 3e-5),
            (spanned, step(1_998, of: 2_000, rate: 0.01), 3.9e-4),
            (spanned, step(49, of: 2_000, rate: 0.01), 0),
            (spanned, step(50, of: 2_000, rate: 0.01), 1e-5),
        ]
        for (method, info, expected) in cases {
            #expect(abs(Double(method.threshold(info)) - expected) <= 1e-6 * expected, "\(method.name) at \(info.iteration) of \(info.iterations)")
            let w = method.variables[0].value
            w[0] = 0.5
            method.afterStep(info)
            #expect(abs(Double(w[0]) - (0.5 + expected)) < 1e-7, "\(method.name) at \(info.iteration): w = \(w[0])")
        }
    }

    /// `bn=running`: after one training step (one batch) and one trace row, the kept quantized
    /// network is normalised with the running statistics of that step's forward pass, which ran under
    /// the *fractional* weights w⁰ = softmax(ũ⁰)·q (β = 1) — 0.1·μ_B and 0.9 + 0.1·σ²_B(unbiased), written
    /// out in Double from ũ⁰ — and neither evaluation (fractional, then quantized) changed them. The
    /// quantized logits on the validation images and the validation accuracy are recomputed in
    /// Double from the rounded weights and those statistics.
    @Test func runningStatisticsComeFromTheFractionalTrainingPassAndEvaluationKeepsThem() throws {
        let train = syntheticDataset(20, side: 4, seed: 21), validation = syntheticDataset(40, side: 4, seed: 22)
        let first = Linear(16, 6), norm = BatchNorm(6, affine: false), last = Linear(6, 10)
        let model = Sequential([Flatten(), first, norm, ReLU(), last])
        initialize(model, using: RandomSource(seed: 23))
        let method = try MethodSpec(parsing: "pmf[jacobian=reference]").makeMethod(for: model)
        let start = method.stateTensors.map(\.tensor.array)  // ũ⁰ of 1.weight, 1.bias, 4.weight, 4.bias
        var settings = TrainingSettings()
        (settings.epochs, settings.batchSize, settings.logEvery, settings.batchNorm) = (1, 20, 1, .running)
        let trainer = Trainer(model: model, method: method, settings: settings, random: RandomSource(seed: 24))
        let result = try trainer.run(train: train, validation: validation, test: validation)
        #expect(result.trace.count == 1)

        // Pre-BatchNorm activations of the training batch under given weights, in Double.
        func activations(_ w: [Double], _ b: [Double], _ data: Dataset) -> [[Double]] {
            var rows: [[Double]] = []
            for r in 0 ..< data.count {
                var z = b
                for o in 0 ..< 6 { for i in 0 ..< 16 { z[o] += w[o * 16 + i] * Double(data.images[r * 16 + i]) } }
                rows.append(z)
            }
            return rows
        }
        func batchMoments(_ z: [[Double]]) -> (mean: [Double], variance: [Double]) {
            let n = Double(z.count)
            let mean = (0 ..< 6).map { o in z.reduce(0.0) { $0 + $1[o] } / n }
            return (mean, (0 ..< 6).map { o in z.reduce(0.0) { $0 + ($1[o] - mean[o]) * ($1[o] - mean[o]) } / (n - 1) })
        }
        let fractional = start.map { tilde in stride(from: 0, to: tilde.count, by: 2).map { Foundation.tanh((Double(tilde[$0 + 1]) - Double(tilde[$0])) / 2) } }
        let (mu, variance) = batchMoments(activations(fractional[0], fractional[1], train))
        let runningMean = mu.map { 0.1 * $0 }, runningVariance = variance.map { 0.9 + 0.1 * $0 }
        #expect(zip(norm.runningMean, runningMean).allSatisfy { abs(Double($0) - $1) < 1e-5 }, "\(norm.runningMean) vs \(runningMean)")
        #expect(zip(norm.runningVariance, runningVariance).allSatisfy { abs(Double($0) - $1) < 1e-5 }, "\(norm.runningVariance) vs \(runningVariance)")

        // The model now holds the kept quantized network: rounded weights, unlike the fractional ones.
        let rounded = [first.weight, first.bias!, last.weight, last.bias!].map { $0.value.array.map(Double.init) }
        #expect(rounded.allSatisfy { $0.allSatisfy { $0 == 1 || $0 == -1 } })
        let ownMean = batchMoments(activations(rounded[0], rounded[1], train)).mean.map { 0.1 * $0 }
        #expect(zip(ownMean, runningMean).map { abs($0 - $1) }.max()! > 0.05, "the rounded network's own statistics must differ")

        let hidden = activations(rounded[0], rounded[1], validation).map { z -> [Double] in
            (0 ..< 6).map { o -> Double in max(0, (z[o] - runningMean[o]) / (runningVariance[o] + 1e-5).squareRoot()) }
        }
        let logits = hidden.map { h -> [Double] in
            (0 ..< 10).map { k -> Double in (0 ..< 6).reduce(rounded[3][k]) { $0 + rounded[2][k * 6 + $1] * h[$1] } }
        }
        let output = model.forward(Tensor(shape: [validation.count, 4, 4, 1], values: validation.images), training: false).array
        #expect(zip(output, logits.flatMap { $0 }).allSatisfy { abs(Double($0) - $1) < 1e-3 * max(1, abs($1)) })
        let correct = logits.indices.filter { r in logits[r].indices.max { logits[r][$0] < logits[r][$1] } == Int(validation.labels[r]) }.count
        #expect(result.bestValidationAccuracy == Double(correct) / Double(validation.count))
        let kept = (norm.runningMean, norm.runningVariance)
        #expect(trainer.accuracy(validation) == result.bestValidationAccuracy)
        #expect(norm.runningMean == kept.0 && norm.runningVariance == kept.1)
    }
}
