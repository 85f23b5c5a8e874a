import NeuralNet
import RealModule
import Testing

@Suite struct OptimizerTests {
    /// Heavy-ball and Nesterov SGD with weight decay against the recursions written out by hand.
    @Test func sgdMomentumAndNesterov() {
        for nesterov in [false, true] {
            let w = Tensor(shape: [2], values: [1, -2]), g = Tensor(shape: [2], values: [0.5, 0.25])
            let sgd = SGD([OptimizedTensor(value: w, gradient: g)], momentum: 0.9, nesterov: nesterov, weightDecay: 0.1)
            var (ew, ev): ([Float], [Float]) = ([1, -2], [0, 0])
            for _ in 0 ..< 3 {
                sgd.step(learningRate: 0.1)
                for i in 0 ..< 2 {
                    let d = g[i] + 0.1 * ew[i]
                    ev[i] = 0.9 * ev[i] + d
                    ew[i] -= 0.1 * (nesterov ? d + 0.9 * ev[i] : ev[i])
                }
            }
            #expect(w.array == ew)
        }
    }

    /// Adam's first step moves every coordinate by lr·sign(g) (up to ε), whatever |g| is.
    @Test func adamFirstStepIsSignedLearningRate() {
        let w = Tensor(shape: [3], values: [0, 0, 0]), g = Tensor(shape: [3], values: [1e-3, -5, 40])
        Adam([OptimizedTensor(value: w, gradient: g)]).step(learningRate: 0.01)
        for (value, expected) in zip(w.array, [Float(-0.01), 0.01, -0.01]) { #expect(abs(value - expected) < 1e-6) }
    }

    /// Adam minimises a quadratic: f(w) = Σ (w − 3)².
    @Test func adamConvergesOnAQuadratic() {
        let w = Tensor(shape: [4], values: [0, 1, -5, 10]), g = Tensor(shape: [4])
        let adam = Adam([OptimizedTensor(value: w, gradient: g)])
        for _ in 0 ..< 3000 {
            for i in 0 ..< 4 { g[i] = 2 * (w[i] - 3) }
            adam.step(learningRate: 0.05)
        }
        #expect(w.array.allSatisfy { abs($0 - 3) < 1e-3 })
    }

    @Test func schedules() {
        #expect(LearningRateSchedule.constant.rate(base: 0.1, at: 999) == 0.1)
        #expect(abs(LearningRateSchedule.step(every: 7000, factor: 0.2).rate(base: 1e-3, at: 14_000) - 4e-5) < 1e-15)
        #expect(LearningRateSchedule.step(every: 7000, factor: 0.2).rate(base: 1e-3, at: 6999) == 1e-3)
        #expect(abs(LearningRateSchedule.multiStep(milestones: [10, 20], factor: 0.1).rate(base: 1, at: 15) - 0.1) < 1e-15)
        #expect(abs(LearningRateSchedule.exponential(gamma: 0.5).rate(base: 1, at: 3) - 0.125) < 1e-15)
    }
}
