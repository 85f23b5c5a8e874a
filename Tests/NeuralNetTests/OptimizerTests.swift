import NeuralNet
import RealModule
import Testing

@Suite struct OptimizerTests {
    /// Heavy-ball and Nesterov SGD with weight decay against the recursions written out by hand.
    @Test func sgdMomentumAndNesterov() {
        for nesterov in [false, true] {
            let w = Tensor(shape: [2], values: [1, -2]), g = Tensor(shape: [2], values: [0.5, 0.25])
            let sgd = SGD([OptimizedTensor(name: "w", value: w, gradient: g)], momentum: 0.9, nesterov: nesterov, weightDecay: 0.1)
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
        Adam([OptimizedTensor(name: "w", value: w, gradient: g)]).step(learningRate: 0.01)
        for (value, expected) in zip(w.array, [Float(-0.01), 0.01, -0.01]) { #expect(abs(value - expected) < 1e-6) }
    }

    /// Adam minimises a quadratic: f(w) = Σ (w − 3)².
    @Test func adamConvergesOnAQuadratic() {
        let w = Tensor(shape: [4], values: [0, 1, -5, 10]), g = Tensor(shape: [4])
        let adam = Adam([OptimizedTensor(name: "w", value: w, gradient: g)])
        for _ in 0 ..< 3000 {
            for i in 0 ..< 4 { g[i] = 2 * (w[i] - 3) }
            adam.step(learningRate: 0.05)
        }
        #expect(w.array.allSatisfy { abs($0 - 3) < 1e-3 })
    }

    /// Adam's and SGD's state is named `SLOT/VARIABLE`, holding what the recursions give after one
    /// step from zero buffers (d = g + λw: Adam m = (1−β₁)d, v = (1−β₂)d²; SGD v = d). Restored into
    /// the same optimizer over the same variables listed in the other order (equal sizes, so only
    /// the names tell the buffers apart), the next steps are bit for bit the original's.
    @Test(arguments: ["adam", "sgd"])
    func stateRoundTripsByName(_ kind: String) throws {
        let names = ["a.weight", "b.weight/utilde"]
        let gradients = [Tensor(shape: [3], values: [0.5, -1, 2]), Tensor(shape: [3], values: [0.25, 4, -3])]
        func variables(_ values: [[Float]]) -> [OptimizedTensor] {
            (0 ..< 2).map { OptimizedTensor(name: names[$0], value: Tensor(shape: [3], values: values[$0]), gradient: gradients[$0]) }
        }
        func optimizer(_ variables: [OptimizedTensor]) -> any Optimizer {
            kind == "adam" ? Adam(variables, weightDecay: 0.1) : SGD(variables, momentum: 0.9, weightDecay: 0.1)
        }
        let start: [[Float]] = [[1, -2, 3], [0.5, -0.5, 7]]
        let original = variables(start), stepped = optimizer(original)
        stepped.step(learningRate: 0.01)
        let state = stepped.state
        let slots = kind == "adam" ? ["m", "v"] : ["momentum"]
        #expect(state.buffers.keys.sorted() == slots.flatMap { slot in names.map { "\(slot)/\($0)" } }.sorted())
        #expect(state.steps == (kind == "adam" ? 1 : 0))
        for (index, name) in names.enumerated() {
            let d = zip(gradients[index].array, start[index]).map { Double($0) + 0.1 * Double($1) }
            let expected = kind == "adam" ? [("m", d.map { 0.1 * $0 }), ("v", d.map { 0.001 * $0 * $0 })] : [("momentum", d)]
            for (slot, values) in expected {
                let saved = try #require(state.buffers["\(slot)/\(name)"])
                #expect(zip(saved, values).allSatisfy { abs(Double($0) - $1) <= 1e-6 * max(1, abs($1)) }, "\(slot)/\(name): \(saved) vs \(values)")
            }
        }
        let reordered = Array(variables(original.map(\.value.array)).reversed()), resumed = optimizer(reordered)
        try resumed.restore(state)
        #expect(resumed.state == state)
        for _ in 0 ..< 3 { for each in [stepped, resumed] { each.step(learningRate: 0.01) } }
        for (a, b) in zip(original, reordered.reversed()) {
            #expect(a.name == b.name && a.value.array.map(\.bitPattern) == b.value.array.map(\.bitPattern), "\(a.name)")
        }
    }

    /// A state with a buffer missing, of another size or of no variable here is refused naming the
    /// buffer, and the optimizer keeps its own state.
    @Test(arguments: ["adam", "sgd"])
    func mismatchedStatesAreRefusedNamingTheBuffer(_ kind: String) {
        let w = Tensor(shape: [2], values: [1, 2]), g = Tensor(shape: [2], values: [0.5, 0.5])
        let variables = [OptimizedTensor(name: "1.weight", value: w, gradient: g)]
        let optimizer: any Optimizer = kind == "adam" ? Adam(variables) : SGD(variables, momentum: 0.9)
        let slot = kind == "adam" ? "v" : "momentum", fresh = optimizer.state
        var saved = optimizer.state
        saved.buffers = saved.buffers.mapValues { $0.map { $0 + 1 } }
        func refusal(_ change: (inout OptimizerState) -> Void) -> String {
            var state = saved
            change(&state)
            do { try optimizer.restore(state) } catch { return error.description }
            return "no error"
        }
        #expect(refusal { $0.buffers["\(slot)/1.weight"] = nil } == "optimizer entry \(slot)/1.weight is missing")
        #expect(refusal { $0.buffers["\(slot)/1.weight"]!.removeLast() } == "optimizer entry \(slot)/1.weight holds 1 values; this run's has 2")
        #expect(refusal { $0.buffers["\(slot)/1.bias"] = [0, 0] } == "optimizer entry \(slot)/1.bias is not part of this run")
        #expect(optimizer.state == fresh)
    }

    @Test func schedules() {
        #expect(LearningRateSchedule.constant.rate(base: 0.1, at: 999) == 0.1)
        #expect(abs(LearningRateSchedule.step(every: 7000, factor: 0.2).rate(base: 1e-3, at: 14_000) - 4e-5) < 1e-15)
        #expect(LearningRateSchedule.step(every: 7000, factor: 0.2).rate(base: 1e-3, at: 6999) == 1e-3)
        #expect(abs(LearningRateSchedule.multiStep(milestones: [10, 20], factor: 0.1).rate(base: 1, at: 15) - 0.1) < 1e-15)
        #expect(abs(LearningRateSchedule.exponential(gamma: 0.5).rate(base: 1, at: 3) - 0.125) < 1e-15)
    }
}
