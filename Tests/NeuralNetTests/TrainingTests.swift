import NeuralNet
import Simplex
import Testing

@Suite struct TrainingTests {
    /// Two classes: points whose first coordinate is positive or negative, in 6 dimensions.
    func synthetic(_ n: Int, seed: UInt) -> Dataset {
        let random = RandomSource(seed: seed)
        var images: [Float] = [], labels: [Int32] = []
        for _ in 0 ..< n {
            let label = random.integer(below: 2)
            let point = (0 ..< 6).map { i in Float(i == 0 ? (label == 0 ? -1 : 1) * random.uniform(0.3, 2) : random.gaussian()) }
            images += point
            labels.append(Int32(label))
        }
        return Dataset(images: images, labels: labels, imageShape: [1, 6, 1], classes: 2)
    }

    func train(seed: UInt, epochs: Int = 3) throws -> (TrainingResult, [[Float]]) {
        let model = Architecture.mlp.build(imageShape: [1, 6, 1], classes: 2)
        let random = RandomSource(seed: seed)
        initialize(model, using: random)
        var settings = TrainingSettings()
        (settings.epochs, settings.batchSize, settings.logEvery) = (epochs, 20, 10)
        let trainer = Trainer(model: model, method: FloatWeights(model), settings: settings, random: random)
        let result = try trainer.run(train: synthetic(600, seed: 1), validation: synthetic(200, seed: 2), test: synthetic(400, seed: 3))
        return (result, model.namedParameters(prefix: "").map(\.parameter.value.array))
    }

    @Test func aTinyNetworkLearnsASyntheticTask() throws {
        let (result, _) = try train(seed: 4)
        #expect(result.testAccuracy > 0.98)
        #expect(result.trace.first!.loss > result.trace.last!.loss)
        #expect(result.trace.contains { $0.validationAccuracy != nil })
    }

    @Test func sameSeedGivesBitIdenticalWeights() throws {
        let (_, first) = try train(seed: 9, epochs: 2)
        let (_, second) = try train(seed: 9, epochs: 2)
        let (_, other) = try train(seed: 10, epochs: 2)
        #expect(first == second)
        #expect(first != other)
    }

    @Test func nonFiniteLossStopsTheRunWithTheIteration() {
        let model = Architecture.mlp.build(imageShape: [1, 6, 1], classes: 2)
        initialize(model, using: RandomSource(seed: 1))
        model.namedParameters(prefix: "").last!.parameter.value[0] = .nan
        let trainer = Trainer(model: model, method: FloatWeights(model), settings: TrainingSettings(), random: RandomSource(seed: 1))
        #expect(throwsMessage(containing: ["iteration 1"]) {
            _ = try trainer.run(train: synthetic(100, seed: 1), validation: synthetic(10, seed: 2), test: synthetic(10, seed: 3))
        })
    }
}
