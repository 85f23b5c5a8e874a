import Foundation
import NeuralNet
import Quantization
import Simplex
import Testing

struct StopTraining: Error {}

@Suite struct TrainingTests {
    let train = syntheticDataset(600, seed: 1), validation = syntheticDataset(150, seed: 2), test = syntheticDataset(200, seed: 3)

    func makeTrainer(_ spec: String, seed: UInt = 4, levels: QuantizationLevels = .binary, arch: Architecture = .lenet300) throws -> Trainer {
        let random = RandomSource(seed: seed)
        let model = arch.build(imageShape: [8, 8, 1], classes: 10)
        initialize(model, using: random)
        let method = try MethodSpec(parsing: spec).makeMethod(for: model, levels: levels, random: random)
        var settings = TrainingSettings()
        (settings.epochs, settings.batchSize, settings.logEvery) = (3, 25, 10)
        return Trainer(model: model, method: method, settings: settings, random: random)
    }

    @Test(arguments: ["ref", "bc", "pq[reg=0.01]", "picm", "picm[init=independent]", "pgd[rho=1.3,every=10]", "pmf[rho=1.3,every=10]",
                      "pmf[rho=1.3,every=10,jacobian=reference,init=independent]", "pmf[rho=1.3,every=10,tilde=false]", "md[rho=1.3,every=10]"])
    func everyMethodTrainsAndTracesItsRun(_ spec: String) throws {
        let trainer = try makeTrainer(spec, arch: .mlp)
        let result = try trainer.run(train: train, validation: validation, test: test)
        #expect(result.trace.count == 8)  // 72 iterations, a row every 10 and at the end
        #expect(result.trace.allSatisfy { $0.validationAccuracy != nil && $0.flipRatio.isFinite })
        #expect(result.testAccuracy > 0.15, "\(spec): \(result.testAccuracy)")  // chance is 0.1; 72 steps of a tiny MLP
        #expect((0 ... 1).contains(result.testAccuracyFractional))
        // The best network is restored, quantized.
        if spec != "ref" {
            #expect(trainer.model.namedParameters(prefix: "").allSatisfy { $0.parameter.value.buffer.allSatisfy { $0 == 1 || $0 == -1 } })
        }
        if spec.hasPrefix("pmf") || spec.hasPrefix("pgd") {
            #expect(result.trace.last!.beta == Double.pow(1.3, 7))
            #expect(result.trace.allSatisfy { $0.meanEntropy.isFinite && (0 ... 1).contains($0.vertexFraction) })
        }
    }

    @Test func aLongerPMFRunLearnsAndItsRowsReachVertices() throws {
        // 72 iterations: β reaches 2.5⁷ ≈ 610, enough to push rows with margins of ~0.1 to a vertex.
        let trainer = try makeTrainer("pmf[rho=2.5,every=10]", levels: .ternary)
        let result = try trainer.run(train: train, validation: validation, test: test)
        #expect(result.testAccuracy > 0.6)
        #expect(result.trace.last!.vertexFraction > result.trace.first!.vertexFraction)
        #expect(result.trace.last!.meanEntropy < result.trace.first!.meanEntropy)
    }

    @Test(arguments: ["pmf[rho=1.3,every=10]", "bc"], [false, true])
    func stoppingAndResumingInProcessIsBitwiseIdentical(_ spec: String, rmsProp: Bool) throws {
        // With rmsProp, the trainers step with an optimizer defined outside the library (below):
        // its own state goes through the checkpoint like Adam's.
        func makeTrainer(_ spec: String) throws -> Trainer {
            let trainer = try self.makeTrainer(spec)
            guard rmsProp else { return trainer }
            return Trainer(model: trainer.model, method: trainer.method, settings: trainer.settings, random: RandomSource(seed: 4),
                           optimizer: RMSProp(trainer.method.variables))
        }
        var uninterrupted: TrainerState?
        let full = try makeTrainer(spec)
        let expected = try full.run(train: train, validation: validation, test: test,
                                    checkpoint: CheckpointPolicy(every: 1000) { uninterrupted = $0 })
        // Stop after 17 iterations (mid-epoch, mid-log-window); go through the file format.
        var saved = Data()
        let stopped = try makeTrainer(spec)
        #expect(throws: StopTraining.self) {
            _ = try stopped.run(train: train, validation: validation, test: test, checkpoint: CheckpointPolicy(every: 17) { state in
                saved = try Checkpoint(state: state, settings: "{}").encoded()
                throw StopTraining()
            })
        }
        // The entries reversed in the file (the writer orders them by name): resuming matches them by name.
        var file = CheckpointFile(saved)
        file.entries.reverse()
        #expect(file.data != saved && CheckpointFile(file.data).entries.map(\.name) == file.entries.map(\.name))
        let checkpoint = try Checkpoint(data: file.data)
        #expect(checkpoint.state.iteration == 17)
        var resumedFinal: TrainerState?
        let resumed = try makeTrainer(spec)
        let result = try resumed.run(train: train, validation: validation, test: test, resume: checkpoint.state,
                                     checkpoint: CheckpointPolicy(every: 1000) { resumedFinal = $0 })
        let a = try #require(uninterrupted), b = try #require(resumedFinal)
        #expect(bits(a.method) == bits(b.method))
        #expect(bits(a.network.values) == bits(b.network.values))
        #expect(bits(a.optimizer.buffers) == bits(b.optimizer.buffers) && a.optimizer.steps == b.optimizer.steps)
        // Adam keeps m and v per variable, RMSProp one average; each named after its variable.
        let slots = rmsProp ? ["average"] : ["m", "v"]
        let names = slots.flatMap { slot in full.method.variables.map { "\(slot)/\($0.name)" } }
        #expect(a.optimizer.buffers.keys.sorted() == names.sorted() && a.optimizer.steps == 72)
        #expect(a.random == b.random)
        #expect(a.trace.map { "\($0)" } == b.trace.map { "\($0)" })
        #expect(result.testAccuracy == expected.testAccuracy && result.testAccuracyFractional == expected.testAccuracyFractional)
        #expect(bits(a.best!.quantized.values) == bits(b.best!.quantized.values))
        // And the stopped state really differs from the final one.
        #expect(bits(checkpoint.state.method) != bits(a.method))
    }

    @Test func checkpointRejectsDamagedFiles() throws {
        var state: TrainerState?
        _ = try makeTrainer("pmf").run(train: train.slice(0 ..< 100), validation: validation, test: test,
                                       checkpoint: CheckpointPolicy(every: 1000) { state = $0 })
        let data = try Checkpoint(state: try #require(state), settings: "x").encoded()
        #expect(throwsMessage(containing: ["truncated"]) { _ = try Checkpoint(data: data.prefix(data.count - 3)) } != nil)
        var bad = data
        bad[0] = 0x41
        #expect(throwsMessage(containing: ["magic"]) { _ = try Checkpoint(data: bad) } != nil)
        let decoded = try Checkpoint(data: data)
        #expect(bits(decoded.state.method) == bits(state!.method) && decoded.settings == "x")
    }

    @Test func nonFiniteVariablesStopTheRunNamingIterationAndGroup() throws {
        let trainer = try makeTrainer("pmf")
        let group = trainer.method.stateTensors.last!
        group.tensor[5] = .nan
        let error = try #require(throws: TrainingError.self) { _ = try trainer.run(train: train, validation: validation, test: test) }
        // The NaN reaches the loss in the first forward pass, which names the group holding it.
        guard case .lossNotFinite(let value, 1, group.name) = error, value.isNaN else { Issue.record("\(error)"); return }
        #expect(error.description.contains("iteration 1") && error.description.contains(group.name))
        #expect(group.name == "7.bias/utilde")
        // An infinite learning rate: the loss stays finite for a step, the weights do not.
        let random = RandomSource(seed: 1)
        let model = Architecture.mlp.build(imageShape: [8, 8, 1], classes: 10)
        initialize(model, using: random)
        var settings = TrainingSettings()
        (settings.epochs, settings.batchSize, settings.logEvery, settings.learningRate, settings.optimizer) = (1, 25, 1, .infinity, .sgd)
        settings.momentum = 0
        let blowUp = Trainer(model: model, method: try MethodSpec(parsing: "bc").makeMethod(for: model, floatPrefixes: ["3"]),
                             settings: settings, random: random)
        let second = try #require(throws: TrainingError.self) { _ = try blowUp.run(train: train, validation: validation, test: test) }
        guard case .stateNotFinite(_, 1) = second else { Issue.record("\(second)"); return }
        #expect(second.description.contains("parameter group") && second.description.contains("non-finite at iteration 1"))
    }

    @Test func npyFilesLoadInNumPyWithTheRightValues() throws {
        let folder = temporaryFolder("npy")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let values: [Float] = (0 ..< 60).map { Float($0) * 0.25 - 3 }
        for (name, shape) in [("a", [60]), ("b", [3, 4, 5]), ("c", [60, 1])] {
            let data = NPY.encode(values, shape: shape)
            #expect((data.count - 60 * 4) % 64 == 0)
            try data.write(to: folder.appendingPathComponent("\(name).npy"))
            let back = try NPY.decode(data)
            #expect(back.shape == shape && back.values == values)
        }
        let script = """
        import numpy as np, sys
        for name, shape in [('a', (60,)), ('b', (3, 4, 5)), ('c', (60, 1))]:
            x = np.load(sys.argv[1] + '/' + name + '.npy')
            assert x.dtype == np.float32 and x.shape == shape and x.flags['C_CONTIGUOUS'], (name, x.dtype, x.shape)
            assert (x.ravel() == np.arange(60, dtype=np.float32) * 0.25 - 3).all(), name
        print('ok', np.load(sys.argv[1] + '/b.npy')[1, 2, 3])
        """
        let run = try runProcess("/usr/bin/env", ["python3", "-c", script, folder.path])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output == "ok \(values[1 * 20 + 2 * 5 + 3])\n")
    }

    @Test func everyPresetParsesAndBuilds() throws {
        #expect(Preset.all.count == 36)
        #expect(Set(Preset.all.map(\.name)).count == Preset.all.count)
        for preset in Preset.all {
            let spec = preset.method
            #expect(try MethodSpec(parsing: spec.description) == spec)
            #expect(try LearningRateSchedule(parsing: preset.schedule.description) == preset.schedule)
            let shape = preset.dataset == .mnist ? [28, 28, 1] : [32, 32, 3]
            if preset.arch == .lenet300 || preset.arch == .lenet5 {
                let model = preset.arch.build(imageShape: shape, classes: 10)
                _ = try spec.makeMethod(for: model, levels: preset.levels, random: RandomSource(seed: 1))
            }
        }
        let pmf = try Preset.named("mnist-lenet300-pmf")
        #expect(pmf.learningRate == 1e-3 && pmf.optimizer == .adam && pmf.epochs == 40 && pmf.method.description.contains("rho=1.2"))
        // Where the paper is silent, the authors' code: the two-softmax pullback, independent ũ⁰,
        // running BatchNorm statistics, ProxQuant's constant rate; the ×0.2 steps where it speaks.
        #expect(pmf.method.jacobian == .reference && pmf.method.initialization == .independent)
        let bc = try Preset.named("mnist-lenet5-bc")
        #expect(pmf.schedule == .step(every: 7000, factor: 0.2) && bc.schedule == pmf.schedule)
        #expect(Preset.all.allSatisfy { $0.batchNorm == .running })
        #expect(Preset.all.filter { $0.method.kind == .pq }.allSatisfy { $0.schedule == .constant && $0.method.span == $0.epochs })
        #expect(Preset.all.filter { [.picm, .pgd, .pmf].contains($0.method.kind) }.allSatisfy { $0.method.initialization == .independent })
        let pgd = try Preset.named("cifar10-resnet18-pgd")
        #expect(pgd.optimizer == .sgd && pgd.learningRate == 0.1 && pgd.method.beta.rho == 1.01)
        #expect(try Preset.named("cifar10-vgg16-ref").weightDecay == 5e-4)
        #expect(throwsMessage(containing: ["unknown preset", "list-presets"]) { _ = try Preset.named("mnist-lenet300-xyz") } != nil)
        #expect(Preset.table.split(separator: "\n").count == 37)
    }

    @Test func presetsRescaleTheirSchedulesToTheRunsIterations() throws {
        let pmf = try Preset.named("mnist-lenet300-pmf")
        #expect(pmf.iterations == 20_000 && pmf.epochs * 500 == pmf.iterations)
        #expect(pmf.rescaled(toIterations: 20_000) == pmf)
        // 4 epochs of 50k at batch 100: a tenth of the paper's run, so β every 10 and the step every 700.
        let short = pmf.rescaled(toIterations: 2000)
        #expect(short.method.description == "pmf[rho=1.2,every=10,cap=10000,jacobian=reference,init=independent]")
        #expect(short.schedule == .step(every: 700, factor: 0.2))
        #expect(BetaSchedule(rho: 1.2, every: 10).beta(at: 299) == BetaSchedule(rho: 1.2, every: 100).beta(at: 2999))
        let vgg = try Preset.named("cifar10-vgg16-pgd").rescaled(toIterations: 500)
        #expect(vgg.method.description == "pgd[rho=1.05,every=1,cap=10000,init=independent]" && vgg.schedule == .step(every: 150, factor: 0.2))
        // ProxQuant keeps its constant rate and counts λ over the paper's 40 epochs whatever the length.
        let pq = try Preset.named("mnist-lenet5-pq").rescaled(toIterations: 10)
        #expect(pq.method.description == "pq[reg=0.001,span=40]" && pq.schedule == .constant)
    }

    /// `bn=reestimate[batches=20]`: the kept quantized network carries statistics of its own
    /// (quantized) weights, averaged over the first 20 training batches, not the running statistics
    /// gathered while ProxQuant trained its float weights (which `bn=running` keeps).
    @Test(arguments: [BatchNormEvaluation.reestimate(batches: 20), .running])
    func reestimationGivesTheQuantizedNetworkItsOwnBatchNormStatistics(_ protocol: BatchNormEvaluation) throws {
        let random = RandomSource(seed: 4)
        let model = Architecture.lenet300.build(imageShape: [8, 8, 1], classes: 10)
        initialize(model, using: random)
        let method = try MethodSpec(parsing: "pq[reg=0.01,freeze=1]").makeMethod(for: model)
        var settings = TrainingSettings()
        (settings.epochs, settings.batchSize, settings.logEvery, settings.batchNorm) = (2, 25, 10, `protocol`)
        let trainer = Trainer(model: model, method: method, settings: settings, random: random)
        _ = try trainer.run(train: train, validation: validation, test: test)
        // After the run the model holds the best quantized network: weights ±1, and its first BatchNorm's statistics.
        let linear = model.layers[1] as! Linear, norm = model.layers[2] as! BatchNorm
        #expect(linear.weight.value.array.allSatisfy { $0 == 1 || $0 == -1 })
        let (w, b) = (linear.weight.value.array.map(Double.init), linear.bias!.value.array.map(Double.init))
        let outputs = b.count, inputs = w.count / outputs
        var mean = [Double](repeating: 0, count: outputs)
        for batch in 0 ..< 20 {
            for r in batch * 25 ..< (batch + 1) * 25 {
                for o in 0 ..< outputs {
                    let y = (0 ..< inputs).reduce(b[o]) { $0 + w[o * inputs + $1] * Double(train.images[r * inputs + $1]) }
                    mean[o] += y / 500
                }
            }
        }
        let error = zip(norm.runningMean, mean).map { abs(Double($0) - $1) / max(1, abs($1)) }.max()!
        if `protocol` != .running {
            #expect(error < 1e-4, "largest relative error \(error)")
        } else {
            #expect(error > 0.05, "running statistics from float training should not match the quantized network's (\(error))")
        }
    }
}

/// RMSProp (average of squared gradients with decay 0.9, step g/(√avg + 1e-8)), written against the
/// public `Optimizer` protocol as a user would add an optimizer: its state is a step count and one
/// buffer per variable, `average/VARIABLE`.
final class RMSProp: Optimizer {
    let variables: [OptimizedTensor]
    let averages: [Tensor]
    var steps = 0

    init(_ variables: [OptimizedTensor]) {
        self.variables = variables
        averages = variables.map { Tensor(shape: [$0.value.count]) }
    }

    func step(learningRate rate: Float) {
        steps += 1
        let (w, a) = (variables.map(\.value.data), averages.map(\.data))
        forEachGradientBlock(variables) { index, start, count, g in
            let (w, a) = (w[index] + start, a[index] + start)
            for i in 0 ..< count {
                a[i] = 0.9 * a[i] + 0.1 * g[i] * g[i]
                w[i] -= rate * g[i] / (a[i].squareRoot() + 1e-8)
            }
        }
    }

    var state: OptimizerState { OptimizerState(steps: steps, slots: [("average", averages)], of: variables) }

    func restore(_ state: OptimizerState) throws(StateMismatch) {
        try state.restore([("average", averages)], of: variables)
        steps = state.steps
    }
}
