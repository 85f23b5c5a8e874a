import Foundation
import NeuralNet
import Simplex
import Support

/// One training run of a `RunSpec`, as `pmf train`, the sweeps' runs and the figures
/// run it: build and initialise the network from the seed, make the method, train with the
/// checkpoint policy, then write `trace.dat` and `results.json` (in that order, so a folder with
/// `results.json` is complete) and export the quantized network when asked.
public struct TrainingJob {
    /// The run.
    public var spec: RunSpec
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
    public init(spec: RunSpec, folder: URL? = nil, checkpointEvery: Int = .max, resume: Checkpoint? = nil, export: URL? = nil) {
        precondition(checkpointEvery >= 1, "checkpoints need a positive interval")
        self.spec = spec
        self.folder = folder
        self.checkpointEvery = checkpointEvery
        self.resume = resume
        self.export = export
    }

    /// The layer table of the run's network for `data`'s images (`NeuralNet.summary`).
    public func modelSummary(for data: RunData) throws -> String {
        let model = spec.arch.build(imageShape: data.train.imageShape, classes: data.train.classes, convolution: spec.convolution)
        return summary(of: model, imageShape: data.train.imageShape)
    }

    /// Trains on `data` (loaded for the spec, `RunData(spec)`), reporting progress per trace row.
    /// - Returns: the report (also written to `folder`) and the export's manifest when exported.
    /// - Throws: `QuantizationError`, `TrainingError` or a file error, each naming what to change.
    public func run(on data: RunData, progress: (TrainingProgress) -> Void = { _ in }) throws
        -> (report: RunReport, export: ExportManifest?) {
        let spec = self.spec
        let (random, model, method) = try start(for: data)
        let split = try ParameterSplit(model, floatPrefixes: spec.floatLayers)

        var settings = TrainingSettings()
        (settings.epochs, settings.batchSize, settings.optimizer) = (spec.epochs, spec.batchSize, spec.optimizer)
        (settings.learningRate, settings.weightDecay, settings.logEvery) = (spec.lr, spec.weightDecay, spec.logEvery)
        (settings.momentum, settings.batchNorm, settings.validate, settings.schedule) = (spec.momentum, spec.bn, spec.validate, spec.schedule)
        let trainer = Trainer(model: model, method: method, settings: settings, random: random)
        var policy: CheckpointPolicy?
        if let folder {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            policy = CheckpointPolicy(every: checkpointEvery) { state in
                try Checkpoint(state: state, settings: spec.json).write(in: folder)
                try writeTrace(state.trace, in: folder)
            }
        }
        let perEpoch = (data.train.count + spec.batchSize - 1) / spec.batchSize
        let orders = try replay.batchOrder.map { try BatchOrderFile.read($0, epochs: spec.epochs, images: data.train.count) }
        let recorder = try replay.observes
            ? RunRecorder(record: replay.record.map { ($0, replay.recordEvery) }, iterations: perEpoch * spec.epochs, method: method,
                          optimizer: spec.optimizer, settings: spec, train: data.train,
                          layers: try ExportLayer.describe(model))
            : nil
        let result = try trainer.run(train: data.train, validation: data.validation, test: data.test, augment: spec.dataset.augments,
                                     resume: resume?.state, checkpoint: policy, orders: orders, observer: recorder, progress: progress)
        if let file = replay.writeBatchOrder, let recorder { try BatchOrderFile.write(recorder.orders, to: file) }
        let manifest = try export.map {
            try QuantizedExport.write(
                model: model, quantized: spec.method.quantizes ? Set(split.quantized.map(\.name)) : [], levels: spec.levels, arch: spec.arch.rawValue,
                dataset: spec.dataset.rawValue, imageShape: data.train.imageShape, classes: data.train.classes, method: spec.method.description,
                testAccuracy: result.testAccuracy, normalization: data.train.normalization, to: $0)
        }
        let report = RunReport(arch: spec.arch.rawValue, method: spec.method.description, levels: spec.levels.values, dataset: spec.dataset.rawValue,
                               seed: spec.seed,
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
        let random = RandomSource(seed: spec.seed)
        let model = spec.arch.build(imageShape: data.train.imageShape, classes: data.train.classes, convolution: spec.convolution)
        initialize(model, using: random)
        // The seeded stream draws the network's weights, then ũ⁰ for init=independent, then the
        // trainer's batch orders and augmentation.
        let method = try spec.method.makeMethod(for: model, levels: spec.levels, floatPrefixes: spec.floatLayers, random: random)
        if let folder = replay.initFolder { try StateFiles.read(into: method, from: folder) }
        return (random, model, method)
    }

    /// Writes `trace.dat` into `folder` (nothing before the first trace row).
    private func writeTrace(_ trace: [TraceRow], in folder: URL) throws {
        guard !trace.isEmpty else { return }
        try TraceFile.dataFile(trace, command: spec.commandLine, seed: spec.seed).write(in: folder)
    }
}
