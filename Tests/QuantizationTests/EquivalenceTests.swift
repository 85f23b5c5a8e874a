import NeuralNet
import Quantization
import Simplex
import Testing

/// Prop. 3.1 (docs/paper-notes.md §5): BinaryConnect and PICM with η_u = η_w/2 take the same steps on
/// full-batch (deterministic) gradients when w̃⁰ = ũ⁰q.
@Suite struct EquivalenceTests {
    /// Steps `k` full-batch SGD iterations (no momentum) of both methods on copies of one MLP;
    /// returns, per step, BC's w̃, PICM's ũq and both networks' quantized weights.
    func trajectories(etaW: Float, etaU: Float, steps: Int) throws -> [(wtilde: [Float], uq: [Float], bcSigns: [Float], picmSigns: [Float])] {
        let data = syntheticDataset(64, side: 4, seed: 5)
        let images = Tensor(shape: [64, 4, 4, 1], values: data.images)
        func network() -> Sequential {
            let model = Architecture.mlp.build(imageShape: [4, 4, 1], classes: 10)
            initialize(model, using: RandomSource(seed: 8))
            return model
        }
        let bcModel = network(), picmModel = network()
        // ũ⁰ = (−w, w) so ũ⁰q = 2w: start BC at w̃⁰ = 2w.
        for (_, p) in bcModel.namedParameters(prefix: "") { for i in 0 ..< p.count { p.value[i] *= 2 } }
        let bc = try MethodSpec(parsing: "bc").makeMethod(for: bcModel)
        let picm = try MethodSpec(parsing: "picm").makeMethod(for: picmModel)
        let bcOptimizer = SGD(bc.variables), picmOptimizer = SGD(picm.variables)
        let loss = SoftmaxCrossEntropy()
        func step(_ model: Sequential, _ method: any WeightMethod, _ optimizer: SGD, _ eta: Float) {
            method.prepareForward(iteration: 0)
            let logits = model.forward(images, training: true)
            _ = data.labels.withUnsafeBufferPointer { loss(logits, labels: $0) }
            _ = model.backward(loss.gradient, needsInputGradient: false)
            method.pullBack(iteration: 0)
            optimizer.step(learningRate: eta)
            method.afterStep(StepInfo(iteration: 0, epoch: 0, learningRate: eta, iterations: 1000))
        }
        func signs(_ model: Sequential, _ method: any WeightMethod) -> [Float] {
            method.prepareEvaluation(quantized: true)
            return model.namedParameters(prefix: "").flatMap(\.parameter.value.array)
        }
        var result: [(wtilde: [Float], uq: [Float], bcSigns: [Float], picmSigns: [Float])] = []
        for _ in 0 ... steps {
            let wtilde = bc.variables.flatMap(\.value.array)
            let utilde = picm.variables.flatMap(\.value.array)
            let uq = stride(from: 0, to: utilde.count, by: 2).map { utilde[$0 + 1] - utilde[$0] }
            result.append((wtilde, uq, signs(bcModel, bc), signs(picmModel, picm)))
            step(bcModel, bc, bcOptimizer, etaW)
            step(picmModel, picm, picmOptimizer, etaU)
        }
        return result
    }

    @Test func binaryConnectEqualsPICMWithHalfTheStep() throws {
        // η_w = 0.02 keeps every |w̃| below 1 for 20 steps here (asserted), so BC's clipping, which
        // corresponds to ũ staying in Δ, never binds. Float rounding differs between w̃ and ũ₁ − ũ₋₁
        // by a few ulps of |w̃| ≤ 1 per step: 1e-5 over 20 steps.
        let path = try trajectories(etaW: 0.02, etaU: 0.01, steps: 20)
        var changedSigns = 0
        for (k, point) in path.enumerated() {
            #expect(point.wtilde.allSatisfy { abs($0) < 1 }, "clipping bound at step \(k)")
            let gap = zip(point.wtilde, point.uq).map { abs($0 - $1) }.max()!
            #expect(gap < 1e-5, "step \(k): max |w̃ − ũq| = \(gap)")
            #expect(point.bcSigns == point.picmSigns, "step \(k): signs differ")
            if k > 0 { changedSigns += zip(point.bcSigns, path[k - 1].bcSigns).filter { $0 != $1 }.count }
        }
        #expect(changedSigns > 0, "the test must exercise sign changes")
    }

    @Test func equalStepsDoNotMatch() throws {
        let path = try trajectories(etaW: 0.02, etaU: 0.02, steps: 20)
        let gap = zip(path.last!.wtilde, path.last!.uq).map { abs($0 - $1) }.max()!
        #expect(gap > 1e-2)
    }
}
