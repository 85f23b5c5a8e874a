import Foundation
import Simplex
import Support

/// The optimizer families of docs/paper-notes.md §6.
public enum OptimizerKind: String, CaseIterable, Sendable {
    case adam, sgd

    /// The names of the optimizer's buffers per variable (`Adam.slots`, `SGD.slots`).
    public var slots: [String] {
        switch self {
        case .adam: Adam.slots
        case .sgd: SGD.slots
        }
    }
}

/// Everything that shapes a training run besides the data, the network and the method.
public struct TrainingSettings: Sendable {
    /// Passes over the training set.
    public var epochs = 10
    /// Images per mini-batch.
    public var batchSize = 100
    /// The optimizer stepping the method's variables (w, w̃, ũ, …).
    public var optimizer = OptimizerKind.adam
    /// Base learning rate; the schedule scales it per iteration.
    public var learningRate = 1e-3
    /// SGD momentum μ (ignored by Adam).
    public var momentum = 0.9
    /// Nesterov momentum for SGD.
    public var nesterov = false
    /// L2 weight decay λ on the method's variables.
    public var weightDecay = 0.0
    /// Learning rate as a function of the iteration.
    public var schedule = LearningRateSchedule.constant
    /// Iterations between trace rows.
    public var logEvery = 100
    /// The BatchNorm statistics every evaluated network is normalised with: the running statistics
    /// from training, or statistics re-estimated for its own weights over the first training batches.
    public var batchNorm = BatchNormEvaluation.reestimate(batches: 20)
    /// The networks each trace row validates.
    public var validate = ValidatedNetworks.both
    /// The defaults above: Adam, 10⁻³, 10 epochs of batches of 100, a trace row every 100 iterations.
    public init() {}
}

/// One row of the training trace, written every `logEvery` iterations and at the end.
public struct TraceRow: Sendable, Codable, Equatable {
    /// Iterations done when the row was written (1-based).
    public let iteration: Int
    /// Iterations done in epochs (fractional).
    public let epoch: Double
    /// Mean training loss over the iterations since the previous row.
    public let loss: Double
    /// Training accuracy over those iterations' batches.
    public let trainAccuracy: Double
    /// The scheduled learning rate at this iteration.
    public let learningRate: Double
    /// Validation accuracy of the quantized network (hardmax / sign / nearest level).
    public let validationAccuracy: Double?
    /// Validation accuracy of the fractional network w = u·q (the float w for ProxQuant; equal to
    /// the above for REF, BC and PICM, which train their quantized network).
    public var validationAccuracyFractional: Double = .nan
    /// β at this iteration (NaN for methods without one).
    public var beta: Double = .nan
    /// Mean entropy of the rows of u, in nats (NaN without u).
    public var meanEntropy: Double = .nan
    /// Fraction of rows of u at a vertex (NaN without u).
    public var vertexFraction: Double = .nan
    /// Fraction of quantized weights that changed since the previous row.
    public var flipRatio: Double = .nan

    /// A row with the training-side values; the method's diagnostics default to NaN.
    public init(iteration: Int, epoch: Double, loss: Double, trainAccuracy: Double, learningRate: Double,
                validationAccuracy: Double?) {
        self.iteration = iteration
        self.epoch = epoch
        self.loss = loss
        self.trainAccuracy = trainAccuracy
        self.learningRate = learningRate
        self.validationAccuracy = validationAccuracy
    }
}

/// What a run produced.
public struct TrainingResult: Sendable {
    /// Every trace row, in order.
    public let trace: [TraceRow]
    /// Best quantized validation accuracy over the logged iterations, and where it was reached.
    public let bestValidationAccuracy: Double
    /// The (1-based, rounded up) epoch of the best logged iteration.
    public let bestEpoch: Int
    /// The iteration of the best quantized validation accuracy.
    public let bestIteration: Int
    /// Test accuracy of the best-validation network, quantized.
    public let testAccuracy: Double
    /// Test accuracy of the best-validation network's fractional weights.
    public let testAccuracyFractional: Double
    /// Epochs trained.
    public let epochs: Int
    /// Wall time of this process's part of the run, evaluation included.
    public let seconds: Double
    /// Training samples per second, over the training steps only (evaluation and checkpoints excluded).
    public let samplesPerSecond: Double
}

/// A progress report, for bars and logs.
public struct TrainingProgress: Sendable {
    /// Iterations done.
    public let iteration: Int
    /// Iterations in the whole run.
    public let totalIterations: Int
    /// Mean training loss since the previous report.
    public let loss: Double
    /// Training accuracy since the previous report.
    public let accuracy: Double
    /// Training throughput so far.
    public let samplesPerSecond: Double
    /// Estimated time to the end of training.
    public let secondsRemaining: Double
}

/// Why a training run stopped or could not start; each case prints as one line saying what to change.
public enum TrainingError: Error, CustomStringConvertible {
    /// The loss was `value` (NaN or ±∞) at 1-based `iteration`; `group` names a parameter group
    /// holding non-finite values by then, if one does.
    case lossNotFinite(value: Float, iteration: Int, group: String?)
    /// Parameter group `group` became non-finite in the step of 1-based `iteration`.
    case stateNotFinite(group: String, iteration: Int)
    /// The checkpoint read from `source` (nil: given in memory) does not fit this run: `detail` says how.
    case checkpointMismatch(source: String?, detail: String)
    /// The given batch orders hold `epochs` epochs over `images` images; the run needs `neededEpochs` over `neededImages`.
    case batchOrderMismatch(epochs: Int, images: Int, neededEpochs: Int, neededImages: Int)
    /// The run ended without a trained and logged iteration to report.
    case nothingTrained

    public var description: String {
        switch self {
        case let .lossNotFinite(value, iteration, group):
            "the loss became \(value) at iteration \(iteration)\(group.map { "; parameter group \($0) holds non-finite values" } ?? ""); lower the learning rate"
        case let .stateNotFinite(group, iteration):
            "parameter group \(group) became non-finite at iteration \(iteration); lower the learning rate (the last good checkpoint is kept)"
        case let .checkpointMismatch(source, detail):
            "\(source.map { "\($0): " } ?? "")the checkpoint does not fit this run: \(detail); resume with the settings it was written with"
        case let .batchOrderMismatch(epochs, images, neededEpochs, neededImages):
            "the batch orders hold \(epochs) epochs over \(images) images; this run needs \(neededEpochs) over \(neededImages)"
        case .nothingTrained:
            "no iteration was trained or logged"
        }
    }
}

/// When and where `Trainer.run` hands out its state.
public struct CheckpointPolicy {
    /// Iterations between checkpoints (the final state is always handed out too).
    public let every: Int
    /// Receives the state; throwing stops the run with that error (after the state was taken).
    public let save: (TrainerState) throws -> Void

    public init(every: Int, save: @escaping (TrainerState) throws -> Void) {
        precondition(every >= 1, "checkpoints need a positive interval")
        self.every = every
        self.save = save
    }
}

/// The training loop shared by every method: mini-batch forward/backward through `model`, the
/// method's pull-back, an optimizer step on the method's variables, the method's post-step work;
/// every `logEvery` iterations a trace row with the validation accuracy of the quantized network
/// (and of the fractional one, as `TrainingSettings.validate` says), keeping the best
/// quantized-validation network; at the end the test
/// accuracies of that network. Each evaluated network is normalised as `TrainingSettings.batchNorm`
/// says (the running statistics, or statistics re-estimated for its own weights), and the kept
/// networks carry those statistics.
public final class Trainer {
    /// The network being trained.
    public let model: Sequential
    /// The weight parametrisation (REF, BC, PMF, …).
    public let method: any WeightMethod
    /// The training loss on the logits.
    public let loss: any Loss
    /// The settings of this run.
    public let settings: TrainingSettings
    private let optimizer: any Optimizer
    private let random: RandomSource
    /// Re-estimates BatchNorm statistics before an evaluation (set by `run` from its training set;
    /// nil when evaluation uses the running statistics).
    private var calibration: BatchNormCalibration?

    /// A trainer over `model` with `method`'s variables stepped by `optimizer`, by default the one
    /// `settings` names; `random` draws batch orders and augmentation.
    public init(model: Sequential, method: any WeightMethod, loss: any Loss = SoftmaxCrossEntropy(),
                settings: TrainingSettings, random: RandomSource, optimizer: (any Optimizer)? = nil) {
        self.model = model
        self.method = method
        self.loss = loss
        self.settings = settings
        self.random = random
        let wd = Float(settings.weightDecay)
        switch (optimizer, settings.optimizer) {
        case (let given?, _): self.optimizer = given
        case (nil, .adam): self.optimizer = Adam(method.variables, weightDecay: wd)
        case (nil, .sgd): self.optimizer = SGD(method.variables, momentum: Float(settings.momentum), nesterov: settings.nesterov, weightDecay: wd)
        }
    }

    /// Trains on `train`, keeps the logged iteration with the best quantized accuracy on
    /// `validation`, reports `test` for it. With `resume`, continues from that state (which must
    /// come from the same model, method, settings, data and seed); with `checkpoint`, hands out the
    /// state every `checkpoint.every` iterations and at the end (before the best network is restored).
    /// With `orders`, epoch e takes its batches in `orders.epochs[e]` instead of a shuffle; `observer`
    /// sees each epoch's order and every step.
    public func run(train: Dataset, validation: Dataset, test: Dataset, augment: Bool = false,
                    resume: TrainerState? = nil, checkpoint: CheckpointPolicy? = nil,
                    orders: BatchOrders? = nil, observer: (any TrainingObserver)? = nil,
                    progress: (TrainingProgress) -> Void = { _ in }) throws -> TrainingResult {
        if let orders, orders.images != train.count || orders.epochs.count < settings.epochs {
            throw TrainingError.batchOrderMismatch(epochs: orders.epochs.count, images: orders.images, neededEpochs: settings.epochs, neededImages: train.count)
        }
        let loader = BatchLoader(train, batchSize: settings.batchSize, augment: augment, orders: orders)
        calibration = switch settings.batchNorm {
        case .running: nil
        case .reestimate(let batches): BatchNormCalibration(train, batches: batches, batchSize: settings.batchSize)
        }
        let perEpoch = loader.batchesPerEpoch, total = perEpoch * settings.epochs
        let clock = ContinuousClock(), start = clock.now
        var trainingTime = Duration.zero
        var trace: [TraceRow] = []
        var (lossSum, correct, seen, windowSteps) = (0.0, 0, 0, 0)
        var best: BestModel?
        var previousQuantized: [Float] = []
        var first = 0
        if let resume {
            try restore(resume, loader: loader)
            first = resume.iteration
            trace = resume.trace
            best = resume.best
            previousQuantized = resume.previousQuantized
            (lossSum, correct, seen, windowSteps) = (resume.windowLoss, resume.windowCorrect, resume.windowSeen, resume.windowSteps)
            trainingTime = .nanoseconds(Int64(resume.trainingSeconds * 1e9))
        } else {
            method.prepareEvaluation(quantized: true)
            previousQuantized = flatParameters()
        }
        let resumedTime = trainingTime
        func state(_ done: Int) -> TrainerState {
            TrainerState(iteration: done, network: NetworkSnapshot(model),
                         method: Dictionary(uniqueKeysWithValues: method.stateTensors.map { ($0.name, $0.tensor.array) }),
                         optimizer: optimizer.state, random: random.state, order: loader.currentOrder,
                         windowLoss: lossSum, windowCorrect: correct, windowSeen: seen, windowSteps: windowSteps,
                         previousQuantized: previousQuantized, trace: trace, best: best, trainingSeconds: trainingTime.inSeconds)
        }
        var iteration = first
        try observer?.stepsDone(first, loss: .nan) { state(first) }
        while iteration < total {
            let epoch = iteration / perEpoch
            if iteration % perEpoch == 0 {
                loader.startEpoch(epoch, using: random)
                try observer?.epochStarts(epoch, order: loader.currentOrder)
            }
            let stepStart = clock.now  // the step and its finiteness check are timed
            let rate = settings.schedule.rate(base: settings.learningRate, at: iteration)
            loader.load(batch: iteration % perEpoch, random: random)
            let (batchLoss, batchCorrect) = try step(loader, StepInfo(iteration: iteration, epoch: epoch, learningRate: Float(rate), iterations: total))
            trainingTime += clock.now - stepStart
            lossSum += batchLoss
            correct += batchCorrect
            seen += loader.labels.count
            windowSteps += 1
            iteration += 1
            try observer?.stepsDone(iteration, loss: Float(batchLoss)) { state(iteration) }
            if iteration % settings.logEvery == 0 || iteration == total {
                var row = TraceRow(iteration: iteration, epoch: Double(iteration) / Double(perEpoch), loss: lossSum / Double(windowSteps),
                                   trainAccuracy: Double(correct) / Double(seen), learningRate: rate, validationAccuracy: nil)
                let candidate = evaluateForTrace(&row, validation: validation, previous: &previousQuantized)
                trace.append(row)
                if best == nil || row.validationAccuracy! > best!.accuracy {
                    best = BestModel(accuracy: row.validationAccuracy!, iteration: iteration, quantized: candidate.quantized,
                                     fractional: candidate.fractional)
                }
                let elapsed = (trainingTime - resumedTime).inSeconds
                let speed = Double((iteration - first) * settings.batchSize) / max(elapsed, 1e-9)
                progress(TrainingProgress(iteration: iteration, totalIterations: total, loss: row.loss, accuracy: row.trainAccuracy,
                                          samplesPerSecond: speed,
                                          secondsRemaining: Double(total - iteration) * elapsed / Double(max(iteration - first, 1))))
                (lossSum, correct, seen, windowSteps) = (0, 0, 0, 0)
            }
            if let checkpoint, iteration % checkpoint.every == 0 || iteration == total {
                try checkpoint.save(state(iteration))
            }
        }
        if let checkpoint, first == total { try checkpoint.save(state(total)) }
        guard let best else { throw TrainingError.nothingTrained }
        try best.fractional.restore(model)
        let fractionalTest = accuracy(test)
        try best.quantized.restore(model)
        let testAccuracy = accuracy(test)
        let samples = Double((total - first) * settings.batchSize)
        return TrainingResult(trace: trace, bestValidationAccuracy: best.accuracy,
                              bestEpoch: (best.iteration + perEpoch - 1) / perEpoch, bestIteration: best.iteration,
                              testAccuracy: testAccuracy, testAccuracyFractional: fractionalTest, epochs: settings.epochs,
                              seconds: (clock.now - start).inSeconds,
                              samplesPerSecond: samples / max((trainingTime - resumedTime).inSeconds, 1e-9))
    }

    /// Fills a trace row's validation accuracies and u statistics; returns both networks.
    private func evaluateForTrace(_ row: inout TraceRow, validation: Dataset, previous: inout [Float])
        -> (quantized: NetworkSnapshot, fractional: NetworkSnapshot) {
        let statistics = method.diagnostics()
        row.beta = method.beta
        row.meanEntropy = statistics.meanEntropy
        row.vertexFraction = statistics.vertexFraction
        var fractional: (network: NetworkSnapshot, accuracy: Double)?
        if method.hasFractionalNetwork {
            prepareEvaluation(quantized: false)
            fractional = (NetworkSnapshot(model), settings.validate == .both ? accuracy(validation) : .nan)
        }
        prepareEvaluation(quantized: true)
        let quantized = NetworkSnapshot(model)
        let quantizedAccuracy = accuracy(validation)
        row = TraceRow(iteration: row.iteration, epoch: row.epoch, loss: row.loss, trainAccuracy: row.trainAccuracy,
                       learningRate: row.learningRate, validationAccuracy: quantizedAccuracy,
                       copying: row, fractional: fractional?.accuracy ?? quantizedAccuracy)
        let current = flatParameters()
        if current.count == previous.count, !current.isEmpty {
            var flips = 0
            for i in current.indices where current[i] != previous[i] { flips += 1 }
            row.flipRatio = Double(flips) / Double(current.count)
        }
        previous = current
        return (quantized, fractional?.network ?? quantized)
    }

    private func flatParameters() -> [Float] {
        var all: [Float] = []
        for (_, parameter) in model.namedParameters(prefix: "") { all.append(contentsOf: parameter.value.buffer) }
        return all
    }

    /// Writes `state` into the network, the method, the optimizer, the random source and `loader`,
    /// every array matched by name.
    /// - Throws: `TrainingError`, one line naming `state.source` and the first entry that is
    ///   missing, of another size or not part of this run (or the field that does not fit).
    private func restore(_ state: TrainerState, loader: BatchLoader) throws {
        func fail(_ what: String) -> TrainingError {
            .checkpointMismatch(source: state.source, detail: what)
        }
        do throws(StateMismatch) {
            try state.network.restore(model)
            if let best = state.best {
                _ = try best.quantized.arrays(for: model, group: "best quantized network")
                _ = try best.fractional.arrays(for: model, group: "best fractional network")
            }
            let tensors = method.stateTensors
            let values = try matchByName(tensors.map { ($0.name, $0.tensor.count) }, in: state.method, group: "method")
            for (entry, array) in zip(tensors, values) { entry.tensor.assign(array) }
            method.variablesChanged()
            try optimizer.restore(state.optimizer)
        } catch {
            throw fail(error.description)
        }
        guard random.restore(state: state.random) else { throw fail("the random state has the wrong size") }
        guard state.order.count == loader.data.count, state.order.sorted() == Array(0 ..< loader.data.count) else {
            throw fail("the batch order is not a permutation of this training set")
        }
        loader.currentOrder = state.order
        guard state.iteration <= loader.batchesPerEpoch * settings.epochs else { throw fail("it is past this run's last iteration") }
    }

    /// One iteration (`WeightMethod.step` around the network's passes): returns the batch's loss and
    /// number of correct predictions.
    private func step(_ loader: BatchLoader, _ info: StepInfo) throws -> (Double, Int) {
        try method.step(info, optimizer: optimizer) {
            let logits = model.forward(loader.images, training: true)
            let value = loader.labels.withUnsafeBufferPointer { loss(logits, labels: $0) }
            guard value.isFinite else {
                throw TrainingError.lossNotFinite(value: value, iteration: info.iteration + 1, group: method.nonFiniteStateTensor())
            }
            let correct = countCorrect(logits, loader.labels)
            _ = model.backward(loss.gradient, needsInputGradient: false)
            return (Double(value), correct)
        }
    }

    /// Writes the network `method` evaluates (quantized or fractional) into the parameters and, when
    /// the run re-estimates BatchNorm statistics, re-estimates them for it; with the running
    /// statistics nothing runs in training mode, so they stay as training left them.
    private func prepareEvaluation(quantized: Bool) {
        method.prepareEvaluation(quantized: quantized)
        calibration?.apply(to: model)
    }

    /// Accuracy of the network with its parameters as they are, in evaluation mode.
    public func accuracy(_ data: Dataset) -> Double { NeuralNet.accuracy(of: model, on: data) }
}

extension TraceRow {
    init(iteration: Int, epoch: Double, loss: Double, trainAccuracy: Double, learningRate: Double, validationAccuracy: Double?,
         copying other: TraceRow, fractional: Double) {
        self.init(iteration: iteration, epoch: epoch, loss: loss, trainAccuracy: trainAccuracy, learningRate: learningRate,
                  validationAccuracy: validationAccuracy)
        validationAccuracyFractional = fractional
        beta = other.beta
        meanEntropy = other.meanEntropy
        vertexFraction = other.vertexFraction
        flipRatio = other.flipRatio
    }
}

/// Accuracy of `model` with its parameters as they are, in evaluation mode (`evaluate`, the
/// inference path), in batches of `batchSize`; `outputs`, when given, sees each batch's outputs
/// ([rows, classes]) in order.
public func accuracy(of model: any Layer, on data: Dataset, batchSize: Int = evaluationBatchSize,
                     outputs: ((Tensor) -> Void)? = nil) -> Double {
    guard data.count > 0 else { return 0 }
    var correct = 0
    evaluate(model, on: data, batchSize: batchSize) { logits, labels in
        outputs?(logits)
        correct += countCorrect(logits, labels)
    }
    return Double(correct) / Double(data.count)
}

/// Number of rows whose largest logit is at the label (lowest index on ties).
func countCorrect(_ logits: Tensor, _ labels: [Int32]) -> Int {
    let k = logits.shape[1]
    return labels.indices.reduce(0) { total, r in
        total + (argmax(UnsafeBufferPointer(start: logits.data + r * k, count: k)) == Int(labels[r]) ? 1 : 0)
    }
}

