import NeuralNet
import Simplex

/// An estimate of a training run's time from one measured iteration, for planning cluster jobs
/// (`pmf sweep plan`). A run of `iterations` steps with a trace row every `logEvery` costs
///
///     t · (iterations + rows · (validation + calibration images) · networks / (3 · batch))
///
/// iterations' worth of time — its `iterationEquivalents` — where t is the measured seconds per
/// training iteration (forward, backward, method and optimizer step, on random data of the run's
/// shape), a forward pass is taken as a third of an iteration, calibration images are the
/// re-estimation batches' images (none with the running statistics), and `networks` is 2 for
/// methods that also evaluate a fractional network.
public struct RunCost: Sendable, Equatable {
    /// Measured seconds per training iteration.
    public var secondsPerIteration: Double
    /// Iterations of the run.
    public var iterations: Int
    /// The run's length in training iterations, its evaluations counted as their share of one.
    public var iterationEquivalents: Double
    /// Estimated seconds of the whole run, evaluations included.
    public var seconds: Double { secondsPerIteration * iterationEquivalents }

    /// The cost of `spec`'s run of `epochs` epochs over `trainingImages` images, with one iteration
    /// taking `iteration.seconds` and `iteration.fractional` saying whether the method evaluates a
    /// fractional network too (`measureIteration`).
    public init(_ spec: RunSpec, trainingImages: Int, iteration: (seconds: Double, fractional: Bool)) {
        let (dataset, batchSize) = (spec.dataset, spec.batchSize)
        let iterations = spec.epochs * ((trainingImages + batchSize - 1) / batchSize)
        let rows = Double((iterations + spec.logEvery - 1) / spec.logEvery)
        let validation = Double(dataset.standardTrainingImages) * dataset.validationFraction
        let calibration = switch spec.bn {
        case .running: 0.0
        case .reestimate(let batches): Double(batches * batchSize)
        }
        let evaluated = (validation + calibration) * (iteration.fractional ? 2 : 1)
        (secondsPerIteration, self.iterations) = (iteration.seconds, iterations)
        iterationEquivalents = Double(iterations) + rows * evaluated / Double(3 * batchSize)
    }

    /// Measures one iteration of `spec`'s run (`measureIteration`) and extrapolates to its
    /// `epochs` epochs over `trainingImages` images.
    public static func estimate(_ spec: RunSpec, trainingImages: Int) throws -> RunCost {
        RunCost(spec, trainingImages: trainingImages, iteration: try measureIteration(spec))
    }

    /// The settings an iteration's time depends on (network, dataset, batch size, method, levels,
    /// convolution algorithm) as text: runs of one kind share a measured iteration.
    public static func iterationKind(_ spec: RunSpec) -> String {
        [RunSpec.Key.arch, .dataset, .batchSize, .method, .levels, .convolution].compactMap(spec.text(of:)).joined(separator: " ")
    }

    /// Seconds per training iteration of `method` on `arch` for `dataset`-shaped Gaussian images at
    /// `batchSize`, on this process's workers, and whether the method evaluates a fractional network
    /// as well: two steps timed after one untimed warm-up step of the same network and method (the
    /// first step grows the network's workspace, whose fresh pages cost more than a step does).
    public static func measureIteration(_ spec: RunSpec) throws -> (seconds: Double, fractional: Bool) {
        let batchSize = spec.batchSize
        let (shape, classes) = spec.dataset.imageShapeAndClasses
        let random = RandomSource(seed: 1)
        func data(_ count: Int) -> Dataset {
            Dataset(images: (0 ..< count * shape.reduce(1, *)).map { _ in Float(random.gaussian()) },
                    labels: (0 ..< count).map { Int32($0 % classes) }, imageShape: shape, classes: classes)
        }
        let model = spec.arch.build(imageShape: shape, classes: classes, convolution: spec.convolution)
        initialize(model, using: random)
        let weights = try spec.method.makeMethod(for: model, levels: spec.levels, random: random)
        var settings = TrainingSettings()
        (settings.epochs, settings.batchSize, settings.logEvery, settings.batchNorm) = (1, batchSize, 2, .running)
        _ = try Trainer(model: model, method: weights, settings: settings, random: random)
            .run(train: data(batchSize), validation: data(2), test: data(2))
        let trainer = Trainer(model: model, method: weights, settings: settings, random: random)
        let result = try trainer.run(train: data(2 * batchSize), validation: data(2), test: data(2))
        return (Double(batchSize) / result.samplesPerSecond, weights.hasFractionalNetwork)
    }
}
