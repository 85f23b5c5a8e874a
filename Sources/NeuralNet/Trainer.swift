import Foundation
import Simplex

/// The optimizer families of PAPER.md §6.
public enum OptimizerKind: String, CaseIterable, Sendable { case adam, sgd }

/// Everything that shapes a training run besides the data, the network and the method.
public struct TrainingSettings: Sendable {
    public var epochs = 10
    public var batchSize = 100
    public var optimizer = OptimizerKind.adam
    public var learningRate = 1e-3
    public var momentum = 0.9
    public var nesterov = false
    public var weightDecay = 0.0
    public var schedule = LearningRateSchedule.constant
    /// Iterations between trace rows.
    public var logEvery = 100
    public var seed: UInt = 1
    public init() {}
}

/// One row of the training trace.
public struct TraceRow: Sendable, Codable {
    public let iteration: Int
    public let epoch: Double
    /// Mean training loss over the iterations since the previous row.
    public let loss: Double
    /// Training accuracy over those iterations' batches.
    public let trainAccuracy: Double
    public let learningRate: Double
    /// Validation accuracy of the evaluated network, at epoch ends (nil elsewhere).
    public let validationAccuracy: Double?
}

/// What a run produced.
public struct TrainingResult: Sendable {
    public let trace: [TraceRow]
    /// Best validation accuracy over epoch ends, and the epoch it was reached (1-based).
    public let bestValidationAccuracy: Double
    public let bestEpoch: Int
    /// Test accuracy of the best-validation network.
    public let testAccuracy: Double
    public let epochs: Int
    /// Wall time of the whole run, evaluation included.
    public let seconds: Double
    /// Training samples per second, over the training steps only.
    public let samplesPerSecond: Double
}

/// A progress report, for bars and logs.
public struct TrainingProgress: Sendable {
    public let iteration: Int
    public let totalIterations: Int
    public let loss: Double
    public let accuracy: Double
    public let samplesPerSecond: Double
    public let secondsRemaining: Double
}

/// Raised when the loss or a weight stops being finite.
public struct TrainingError: Error, CustomStringConvertible {
    public let description: String
}

/// The training loop shared by every method: mini-batch forward/backward through `model`, the
/// method's pull-back, an optimizer step on the method's variables, evaluation on the validation
/// set at every epoch end, keeping the best-validation network, then the test accuracy of that
/// network.
public final class Trainer {
    public let model: Sequential
    public let method: any WeightMethod
    public let loss: any Loss
    public let settings: TrainingSettings
    private let optimizer: any Optimizer
    private let random: RandomSource

    public init(model: Sequential, method: any WeightMethod, loss: any Loss = SoftmaxCrossEntropy(),
                settings: TrainingSettings, random: RandomSource) {
        self.model = model
        self.method = method
        self.loss = loss
        self.settings = settings
        self.random = random
        let wd = Float(settings.weightDecay)
        switch settings.optimizer {
        case .adam: optimizer = Adam(method.variables, weightDecay: wd)
        case .sgd: optimizer = SGD(method.variables, momentum: Float(settings.momentum), nesterov: settings.nesterov, weightDecay: wd)
        }
    }

    /// Trains on `train`, picks the epoch with the best accuracy on `validation`, reports `test`.
    public func run(train: Dataset, validation: Dataset, test: Dataset, augment: Bool = false,
                    progress: (TrainingProgress) -> Void = { _ in }) throws -> TrainingResult {
        let loader = BatchLoader(train, batchSize: settings.batchSize, augment: augment)
        let perEpoch = loader.batchesPerEpoch, total = perEpoch * settings.epochs
        let clock = ContinuousClock(), start = clock.now
        var trainingTime = Duration.zero
        var trace: [TraceRow] = []
        var (lossSum, correct, seen, windowSteps) = (0.0, 0, 0, 0)
        var best: (accuracy: Double, epoch: Int, snapshot: Snapshot)?
        for epoch in 0 ..< settings.epochs {
            loader.shuffle(using: random)
            let epochStart = clock.now
            for batch in 0 ..< perEpoch {
                let iteration = epoch * perEpoch + batch
                let rate = settings.schedule.rate(base: settings.learningRate, at: iteration)
                loader.load(batch: batch, random: random)
                let (batchLoss, batchCorrect) = try step(loader, iteration: iteration, rate: Float(rate))
                lossSum += batchLoss
                correct += batchCorrect
                seen += loader.labels.count
                windowSteps += 1
                let done = iteration + 1
                if done % settings.logEvery == 0 || done == total {
                    trace.append(TraceRow(iteration: done, epoch: Double(done) / Double(perEpoch), loss: lossSum / Double(windowSteps),
                                          trainAccuracy: Double(correct) / Double(seen), learningRate: rate, validationAccuracy: nil))
                    let elapsed = seconds(trainingTime + (clock.now - epochStart))
                    let speed = Double(done * settings.batchSize) / max(elapsed, 1e-9)
                    progress(TrainingProgress(iteration: done, totalIterations: total, loss: lossSum / Double(windowSteps),
                                      accuracy: Double(correct) / Double(seen), samplesPerSecond: speed,
                                      secondsRemaining: Double(total - done) * elapsed / Double(done)))
                    (lossSum, correct, seen, windowSteps) = (0, 0, 0, 0)
                }
            }
            trainingTime += clock.now - epochStart
            let accuracy = evaluate(validation, quantized: true)
            if let last = trace.last {
                trace[trace.count - 1] = TraceRow(iteration: last.iteration, epoch: last.epoch, loss: last.loss,
                                                  trainAccuracy: last.trainAccuracy, learningRate: last.learningRate,
                                                  validationAccuracy: accuracy)
            }
            if best == nil || accuracy > best!.accuracy { best = (accuracy, epoch + 1, Snapshot(model)) }
        }
        best?.snapshot.restore(model)
        let testAccuracy = accuracy(test)
        let samples = Double(train.count * settings.epochs)
        return TrainingResult(trace: trace, bestValidationAccuracy: best?.accuracy ?? 0, bestEpoch: best?.epoch ?? 0,
                              testAccuracy: testAccuracy, epochs: settings.epochs, seconds: seconds(clock.now - start),
                              samplesPerSecond: samples / max(seconds(trainingTime), 1e-9))
    }

    /// One iteration: returns the batch's loss and number of correct predictions.
    private func step(_ loader: BatchLoader, iteration: Int, rate: Float) throws -> (Double, Int) {
        method.prepareForward(iteration: iteration)
        let logits = model.forward(loader.images, training: true)
        let value = loader.labels.withUnsafeBufferPointer { loss(logits, labels: $0) }
        guard value.isFinite else {
            throw TrainingError(description: "the loss became \(value) at iteration \(iteration + 1); lower the learning rate")
        }
        let correct = countCorrect(logits, loader.labels)
        _ = model.backward(loss.gradient, needsInputGradient: false)
        method.pullBack(iteration: iteration)
        optimizer.step(learningRate: rate)
        method.afterStep(iteration: iteration)
        return (Double(value), correct)
    }

    /// Accuracy of the network as `method` sets it for evaluation (quantized or fractional).
    public func evaluate(_ data: Dataset, quantized: Bool) -> Double {
        method.prepareEvaluation(quantized: quantized)
        return accuracy(data)
    }

    /// Accuracy of the network with its parameters as they are, in evaluation mode.
    public func accuracy(_ data: Dataset) -> Double {
        guard data.count > 0 else { return 0 }
        let loader = BatchLoader(data, batchSize: 250)
        var correct = 0
        for batch in 0 ..< loader.batchesPerEpoch {
            loader.load(batch: batch)
            correct += countCorrect(model.forward(loader.images, training: false), loader.labels)
        }
        return Double(correct) / Double(data.count)
    }
}

/// Number of rows whose largest logit is at the label (lowest index on ties).
func countCorrect(_ logits: Tensor, _ labels: [Int32]) -> Int {
    let k = logits.shape[1]
    return labels.indices.reduce(0) { total, r in
        total + (argmax(UnsafeBufferPointer(start: logits.data + r * k, count: k)) == Int(labels[r]) ? 1 : 0)
    }
}

/// A copy of every parameter value and BatchNorm running statistic of a network.
struct Snapshot {
    private let values: [[Float]]
    private let statistics: [([Float], [Float])]

    init(_ model: any Layer) {
        values = model.namedParameters(prefix: "").map { $0.parameter.value.array }
        statistics = leafLayers(model).compactMap { ($0 as? BatchNorm).map { ($0.runningMean, $0.runningVariance) } }
    }

    func restore(_ model: any Layer) {
        for (parameter, value) in zip(model.namedParameters(prefix: "").map(\.parameter), values) { parameter.value.assign(value) }
        let norms = leafLayers(model).compactMap { $0 as? BatchNorm }
        for (norm, saved) in zip(norms, statistics) { norm.setRunningStatistics(mean: saved.0, variance: saved.1) }
    }
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
