import NeuralNet
import Simplex

/// An estimate of a training run's CPU time from one measured iteration, for planning cluster
/// jobs (`pmf sweep plan`): a run of `iterations` steps with a trace row every `logEvery` costs
///
///     iterations · t + rows · (validation + calibration images) · networks · t / (3 · batch),
///
/// (calibration images: the re-estimation batches' images, none with the running statistics),
///
/// where t is the measured seconds per training iteration (forward, backward, method and optimizer
/// step, on random data of the run's shape), a forward pass is taken as a third of an iteration,
/// and `networks` is 2 for methods that also evaluate a fractional network.
public struct RunCost: Sendable, Equatable {
    /// Measured seconds per training iteration.
    public var secondsPerIteration: Double
    /// Iterations of the run.
    public var iterations: Int
    /// Estimated seconds of the whole run, evaluations included.
    public var seconds: Double

    /// Measures one iteration of `method` on `arch` for `dataset`-shaped images at `batchSize` (two
    /// steps, the first of them a warm-up that is counted too, so the figure errs high) and
    /// extrapolates to a run of `epochs` epochs over `trainingImages` images.
    public static func estimate(arch: Architecture, dataset: DatasetKind, method: String, levels: String, batchSize: Int,
                                epochs: Int, trainingImages: Int, logEvery: Int, batchNorm: BatchNormEvaluation) throws -> RunCost {
        let (shape, classes) = dataset.imageShapeAndClasses
        let random = RandomSource(seed: 1)
        func data(_ count: Int) -> Dataset {
            Dataset(images: (0 ..< count * shape.reduce(1, *)).map { _ in Float(random.gaussian()) },
                    labels: (0 ..< count).map { Int32($0 % classes) }, imageShape: shape, classes: classes)
        }
        let model = arch.build(imageShape: shape, classes: classes)
        initialize(model, using: random)
        let weights = try MethodSpec(parsing: method).makeMethod(for: model, levels: try QuantizationLevels(name: levels), random: random)
        var settings = TrainingSettings()
        (settings.epochs, settings.batchSize, settings.logEvery, settings.batchNorm) = (1, batchSize, 2, .reestimate(batches: 1))
        let trainer = Trainer(model: model, method: weights, settings: settings, random: random)
        let result = try trainer.run(train: data(2 * batchSize), validation: data(2), test: data(2))
        let t = Double(batchSize) / result.samplesPerSecond
        let iterations = epochs * ((trainingImages + batchSize - 1) / batchSize)
        let rows = Double((iterations + logEvery - 1) / logEvery)
        let validation = Double(dataset.standardTrainingImages) * dataset.validationFraction
        let calibration = switch batchNorm {
        case .running: 0.0
        case .reestimate(let batches): Double(batches * batchSize)
        }
        let evaluated = (validation + calibration) * (weights.hasFractionalNetwork ? 2 : 1)
        return RunCost(secondsPerIteration: t, iterations: iterations,
                       seconds: Double(iterations) * t + rows * evaluated * t / Double(3 * batchSize))
    }
}
