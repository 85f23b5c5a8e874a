import Foundation
import NeuralNet
import Simplex
import Support

/// One training run of a resolved `RunConfig`, as `pmf train`, the sweeps' runs and the figures
/// run it: build and initialise the network from the seed, make the method, train with the
/// checkpoint policy, then write `trace.dat` and `results.json` (in that order, so a folder with
/// `results.json` is complete) and export the quantized network when asked.
public struct TrainingJob {
    /// The run's settings.
    public var config: RunConfig
    /// Folder for `results.json`, `trace.dat` and `checkpoint.bin`; nil keeps nothing on disk.
    public var folder: URL?
    /// Iterations between checkpoints in `folder`; one is always written at the end.
    public var checkpointEvery: Int
    /// The checkpoint to continue from (written by this run's settings); the run then ends with the
    /// weights of the uninterrupted run.
    public var resume: Checkpoint?
    /// Folder to export the trained quantized network to (`QuantizedExport`), or nil.
    public var export: URL?
    /// A given start, batch order and step record, for replaying the run elsewhere (none by default).
    public var replay = ReplayOptions()

    /// A job; without `folder` nothing is written but the export.
    public init(config: RunConfig, folder: URL? = nil, checkpointEvery: Int = .max, resume: Checkpoint? = nil, export: URL? = nil) {
        precondition(checkpointEvery >= 1, "checkpoints need a positive interval")
        self.config = config
        self.folder = folder
        self.checkpointEvery = checkpointEvery
        self.resume = resume
        self.export = export
    }

    /// The layer table of the run's network for `data`'s images (`NeuralNet.summary`).
    public func modelSummary(for data: RunData) throws -> String {
        let model = try config.kinds().arch.build(imageShape: data.train.imageShape, classes: data.train.classes)
        return summary(of: model, imageShape: data.train.imageShape)
    }

    /// Trains on `data` (loaded for `config`, `RunData(config)`), reporting progress per trace row.
    /// - Returns: the report (also written to `folder`) and the export's manifest when exported.
    /// - Throws: `QuantizationError`, `TrainingError` or a file error, each naming what to change.
    public func run(on data: RunData, progress: (TrainingProgress) -> Void = { _ in }) throws
        -> (report: RunReport, export: ExportManifest?) {
        let config = self.config
        let (kind, _, optimizer) = try config.kinds()
        let (random, model, method) = try start(for: data)
        let spec = try MethodSpec(parsing: config.method)
        let levels = try QuantizationLevels(name: config.levels)
        let split = try ParameterSplit(model, floatPrefixes: config.floatLayers)

        var settings = TrainingSettings()
        (settings.epochs, settings.batchSize) = (config.epochs, config.batchSize)
        (settings.optimizer, settings.learningRate, settings.weightDecay, settings.logEvery) = (optimizer, config.lr, config.weightDecay, config.logEvery)
        settings.momentum = config.momentum
        settings.batchNorm = try BatchNormEvaluation(parsing: config.bn)
        settings.validate = ValidatedNetworks(rawValue: config.validate) ?? settings.validate
        settings.schedule = try LearningRateSchedule(parsing: config.schedule)
        let trainer = Trainer(model: model, method: method, settings: settings, random: random)
        var policy: CheckpointPolicy?
        if let folder {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            policy = CheckpointPolicy(every: checkpointEvery) { state in
                try Checkpoint(state: state, settings: config.json).write(in: folder)
                try writeTrace(state.trace, in: folder)
            }
        }
        let perEpoch = (data.train.count + config.batchSize - 1) / config.batchSize
        let orders = try replay.batchOrder.map { try BatchOrderFile.read($0, epochs: config.epochs, images: data.train.count) }
        let recorder = try replay.observes
            ? RunRecorder(record: replay.record.map { ($0, replay.recordEvery) }, iterations: perEpoch * config.epochs, method: method,
                          optimizer: optimizer, settings: config, train: data.train,
                          layers: try ExportLayer.describe(model))
            : nil
        let result = try trainer.run(train: data.train, validation: data.validation, test: data.test, augment: kind.augments,
                                     resume: resume?.state, checkpoint: policy, orders: orders, observer: recorder, progress: progress)
        if let file = replay.writeBatchOrder, let recorder { try BatchOrderFile.write(recorder.orders, to: file) }
        let manifest = try export.map {
            try QuantizedExport.write(
                model: model, quantized: spec.quantizes ? Set(split.quantized.map(\.name)) : [], levels: levels, arch: config.arch,
                dataset: config.dataset, imageShape: data.train.imageShape, classes: data.train.classes, method: spec.description,
                testAccuracy: result.testAccuracy, normalization: data.train.normalization, to: $0)
        }
        let report = RunReport(arch: config.arch, method: spec.description, levels: levels.values, dataset: config.dataset, seed: config.seed,
                               epochs: result.epochs, testAccuracy: result.testAccuracy, testAccuracyFractional: result.testAccuracyFractional,
                               bestValidationAccuracy: result.bestValidationAccuracy, bestEpoch: result.bestEpoch,
                               bestIteration: result.bestIteration, seconds: result.seconds, samplesPerSecond: result.samplesPerSecond,
                               trainSize: data.train.count, validationSize: data.validation.count, testSize: data.test.count,
                               resumedFromIteration: resume?.state.iteration, compressionRatio: manifest?.summary.compressionRatio,
                               version: toolkitVersion)
        if let folder {
            try writeTrace(result.trace, in: folder)
            try report.write(to: folder)
        }
        return (report, manifest)
    }

    /// Writes the method's state at the start of the run (`StateFiles`) into `folder`, without
    /// training: the network initialised from the seed, or the state `replay.initFolder` holds.
    public func writeInitialState(for data: RunData, to folder: URL) throws {
        try StateFiles.write(try start(for: data).method.stateTensors, to: folder)
    }

    /// The run's random source, its network initialised from the seed and its method, whose state is
    /// then read from `replay.initFolder` when given (the random source has drawn the same numbers
    /// either way, so the batch orders do not depend on it).
    private func start(for data: RunData) throws -> (random: RandomSource, model: Sequential, method: any WeightMethod) {
        let random = RandomSource(seed: config.seed)
        let model = try config.kinds().arch.build(imageShape: data.train.imageShape, classes: data.train.classes)
        initialize(model, using: random)
        // The seeded stream draws the network's weights, then ũ⁰ for init=independent, then the
        // trainer's batch orders and augmentation.
        let method = try MethodSpec(parsing: config.method).makeMethod(for: model, levels: try QuantizationLevels(name: config.levels),
                                                                       floatPrefixes: config.floatLayers, random: random)
        if let folder = replay.initFolder { try StateFiles.read(into: method, from: folder) }
        return (random, model, method)
    }

    /// Writes `trace.dat` into `folder` (nothing before the first trace row).
    private func writeTrace(_ trace: [TraceRow], in folder: URL) throws {
        guard !trace.isEmpty else { return }
        try TraceFile.dataFile(trace, command: config.commandLine, seed: config.seed).write(in: folder)
    }
}
