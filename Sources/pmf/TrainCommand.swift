import ArgumentParser
import Foundation
import Gnuplot
import NeuralNet
import Quantization
import Simplex
import Support

/// The resolved settings of a `pmf train` run (defaults, then a preset, then explicit flags);
/// stored in every checkpoint so that `--resume` continues the same run.
struct RunConfig: Codable, Equatable {
    var arch = Architecture.lenet300.rawValue
    var method = "ref"
    var levels = "binary"
    var floatLayers: [String] = []
    var dataset = DatasetKind.fashionMNIST.rawValue
    var data: String?
    var limit: Int?
    var epochs = 10
    var batchSize = 100
    var seed: UInt = 1
    var optimizer = OptimizerKind.adam.rawValue
    var lr = 1e-3
    var momentum = 0.9
    var weightDecay = 0.0
    var schedule = "constant"
    var logEvery = 100
    var bnBatches = TrainingSettings().normalizationBatches

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

/// `pmf train`: trains a network with one of the compared methods and reports its test accuracy.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a network with REF, BC, PQ, PICM, PGD, PMF or MD and report test accuracy.",
        discussion: """
        Methods are one value each: ref, bc, picm, pq[reg=0.001], pgd[rho=1.2,every=100,cap=10000], \
        pmf[rho=1.2,every=100,cap=10000,jacobian=exact|reference,tilde=true|false], md[rho=…]. \
        A preset (--list-presets) sets every hyperparameter of a supp. Table 4 cell; explicit flags override it.
        When the run is shorter than the paper's K iterations (fewer --epochs, or a --limit), the preset's β and \
        learning-rate schedules are rescaled to the run's length.
        """)

    @Option(help: "A supp. Table 4 preset, e.g. mnist-lenet300-pmf (see --list-presets).") var preset: String?
    @Flag(name: .customLong("list-presets"), help: "List the presets and exit.") var listPresets = false
    @Option(help: "Network: \(Architecture.allCases.map(\.rawValue).joined(separator: ", ")).") var arch: Architecture?
    @Option(help: "Training method spec, e.g. pmf[rho=1.2] (default ref).") var method: String?
    @Option(help: "Level set: binary, ternary, kN (e.g. k4) or a list like -1,0,1.") var levels: String?
    @Option(name: .customLong("float-layers"), help: "Comma-separated parameter path prefixes kept in float, e.g. 1,7.") var floatLayers: String?
    @Option(help: "Dataset: \(DatasetKind.allCases.map(\.rawValue).joined(separator: ", ")).") var dataset: DatasetKind?
    @Option(help: "Folder with the dataset's files (default for fashion-mnist: \(DatasetKind.fashionMNISTPackageFolder)).") var data: String?
    @Option(help: "Use only the first N training images (quick runs); validation and test stay whole.") var limit: Int?
    @Option var epochs: Int?
    @Option(name: .customLong("batch-size")) var batchSize: Int?
    @Option var seed: UInt?
    @Option var optimizer: OptimizerKind?
    @Option(help: "Learning rate.") var lr: Double?
    @Option(help: "SGD momentum.") var momentum: Double?
    @Option(name: .customLong("weight-decay")) var weightDecay: Double?
    @Option(help: "Learning-rate schedule: constant, step[every=7000,factor=0.2], multistep[at=I:J,factor=F], exponential[gamma=G].") var schedule: String?
    @Option(help: "Iterations between trace rows (each evaluates the quantized and fractional network on validation data).") var logEvery: Int?
    @Option(name: .customLong("bn-batches"), help: "Training batches over which each evaluated network's BatchNorm statistics are re-estimated for its own weights (0: use the running statistics from training).") var bnBatches: Int?
    @Option(help: "Folder for results.json, trace.dat and checkpoint.bin.") var out: String?
    @Option(name: .customLong("checkpoint-every"), help: "Iterations between checkpoints in --out (one is always written at the end).") var checkpointEvery: Int?
    @Option(help: "Continue the run whose checkpoint is in this folder; finishes with the weights of the uninterrupted run.") var resume: String?
    @Option(help: "Folder to export the trained quantized network to (.npy per layer, manifest.json, summary.txt).") var export: String?
    @Flag(help: "Print the model summary before training.") var summary = false
    @Flag(help: "Print one JSON object with the results.") var json = false

    /// Defaults ← checkpoint or preset ← explicit flags.
    func resolve(base: RunConfig) throws -> RunConfig {
        var c = base
        if let arch { c.arch = arch.rawValue }
        if let method { c.method = method }
        if let levels { c.levels = levels }
        if let floatLayers { c.floatLayers = floatLayers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        if let dataset { c.dataset = dataset.rawValue }
        if let data { c.data = data }
        if let limit { c.limit = limit }
        if let epochs { c.epochs = epochs }
        if let batchSize { c.batchSize = batchSize }
        if let seed { c.seed = seed }
        if let optimizer { c.optimizer = optimizer.rawValue }
        if let lr { c.lr = lr }
        if let momentum { c.momentum = momentum }
        if let weightDecay { c.weightDecay = weightDecay }
        if let schedule { c.schedule = schedule }
        if let logEvery { c.logEvery = logEvery }
        if let bnBatches { c.bnBatches = bnBatches }
        guard c.epochs >= 1, c.batchSize >= 2, c.logEvery >= 1, c.bnBatches >= 0 else {
            throw CommandError("--epochs, --log-every must be ≥ 1, --batch-size ≥ 2 and --bn-batches ≥ 0")
        }
        guard c.lr > 0, c.lr.isFinite, c.weightDecay >= 0, c.weightDecay.isFinite, c.momentum >= 0, c.momentum < 1 else {
            throw CommandError("--lr must be positive, --weight-decay ≥ 0 and --momentum in [0, 1)")
        }
        // Canonical method and schedule text, so that equal settings compare equal.
        c.method = try MethodSpec(parsing: c.method).description
        c.schedule = try LearningRateSchedule(parsing: c.schedule).description
        _ = try QuantizationLevels(name: c.levels)
        return c
    }

    /// The settings before the explicit flags: the resumed checkpoint's, the preset's (at the
    /// paper's length), or the defaults; and the checkpoint when resuming.
    func startingPoint() throws -> (base: RunConfig, resumed: Checkpoint?) {
        var base = RunConfig()
        if let resume {
            let checkpoint = try Checkpoint.latest(in: resume) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
            guard let saved = try? JSONDecoder().decode(RunConfig.self, from: Data(checkpoint.settings.utf8)) else {
                throw CommandError("\(resume): the checkpoint's settings are unreadable")
            }
            if let preset { _ = try Preset.named(preset) }
            return (saved, checkpoint)
        }
        if let preset {
            let p = try Preset.named(preset)
            (base.arch, base.method, base.levels, base.dataset) = (p.arch, p.method, p.levels, p.dataset)
            (base.epochs, base.batchSize, base.optimizer, base.lr) = (p.epochs, p.batchSize, p.optimizer.rawValue, p.learningRate)
            (base.momentum, base.weightDecay, base.schedule) = (p.momentum, p.weightDecay, p.schedule.description)
        }
        return (base, nil)
    }

    func run() throws {
        if listPresets {
            print(Preset.table)
            return
        }
        if let checkpointEvery, checkpointEvery < 1 { throw CommandError("--checkpoint-every must be ≥ 1") }
        var (base, resumed) = try startingPoint()
        var config = try resolve(base: base)
        if resumed != nil, config != base {
            throw CommandError("--resume continues the run with the settings in its checkpoint (\(base.json)); drop the flags that change them")
        }
        let outFolder = out ?? resume
        if checkpointEvery != nil, outFolder == nil { throw CommandError("--checkpoint-every needs --out FOLDER for the checkpoints") }

        guard let kind = DatasetKind(rawValue: config.dataset), let architecture = Architecture(rawValue: config.arch),
              let optimizerKind = OptimizerKind(rawValue: config.optimizer) else {
            throw CommandError("unknown dataset, architecture or optimizer in the settings \(config.json)")
        }
        let folder = config.data ?? (kind == .fashionMNIST ? DatasetKind.fashionMNISTPackageFolder : "")
        guard !folder.isEmpty else { throw CommandError("--dataset \(kind.rawValue) needs --data FOLDER holding \(kind.expectedFiles.joined(separator: ", "))") }
        let (full, test) = try kind.load(from: folder)
        var (train, validation) = full.splitValidation(fraction: kind.validationFraction)
        if let limit = config.limit { train = train.slice(0 ..< min(max(limit, config.batchSize), train.count)) }
        if resumed == nil, let preset {
            // The preset's β and learning-rate schedules, rescaled to this run's length (explicit flags still win).
            let iterations = config.epochs * ((train.count + config.batchSize - 1) / config.batchSize)
            let p = try Preset.named(preset).rescaled(toIterations: iterations)
            (base.method, base.schedule) = (p.method, p.schedule.description)
            config = try resolve(base: base)
        }

        let random = RandomSource(seed: config.seed)
        let model = architecture.build(imageShape: train.imageShape, classes: train.classes)
        initialize(model, using: random)
        if summary { FileHandle.standardError.write(Data((NeuralNet.summary(of: model, imageShape: train.imageShape) + "\n").utf8)) }
        let spec = try MethodSpec(parsing: config.method)
        let levelSet = try QuantizationLevels(name: config.levels)
        let split = try ParameterSplit(model, floatPrefixes: config.floatLayers)
        let method = try spec.makeMethod(for: model, levels: levelSet, floatPrefixes: config.floatLayers)

        var settings = TrainingSettings()
        (settings.epochs, settings.batchSize, settings.seed) = (config.epochs, config.batchSize, config.seed)
        (settings.optimizer, settings.learningRate, settings.weightDecay, settings.logEvery) = (optimizerKind, config.lr, config.weightDecay, config.logEvery)
        settings.momentum = config.momentum
        settings.normalizationBatches = config.bnBatches
        settings.schedule = try LearningRateSchedule(parsing: config.schedule)
        let trainer = Trainer(model: model, method: method, settings: settings, random: random)
        let directory = outFolder.map { URL(fileURLWithPath: $0, isDirectory: true) }
        let command = commandLine(config)
        var policy: CheckpointPolicy?
        if let directory {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let every = checkpointEvery ?? Int.max
            policy = CheckpointPolicy(every: every) { state in
                try Checkpoint(state: state, settings: config.json).write(in: directory)
                try writeTrace(state.trace, command: command, seed: config.seed, to: directory)
            }
        }
        let bar = ProgressBar(label: "\(config.arch)/\(spec.kind.rawValue)")
        let result = try trainer.run(train: train, validation: validation, test: test, augment: kind.augments,
                                     resume: resumed?.state, checkpoint: policy, progress: bar.report)
        bar.finish()

        var exported: ExportManifest?
        if let export {
            exported = try QuantizedExport.write(
                model: model, quantized: spec.quantizes ? Set(split.quantized.map(\.name)) : [], levels: levelSet, arch: config.arch,
                dataset: config.dataset, imageShape: train.imageShape, classes: train.classes, method: spec.description,
                testAccuracy: result.testAccuracy, to: URL(fileURLWithPath: export, isDirectory: true))
            if !json { print(exported!.summary.text) }
        }
        let report = TrainReport(arch: config.arch, method: spec.description, levels: levelSet.values, dataset: config.dataset, seed: config.seed,
                                 epochs: result.epochs, test_accuracy: result.testAccuracy, test_accuracy_quantized: result.testAccuracy,
                                 test_accuracy_fractional: result.testAccuracyFractional,
                                 best_validation_accuracy: result.bestValidationAccuracy, best_epoch: result.bestEpoch,
                                 best_iteration: result.bestIteration, seconds: result.seconds, samples_per_second: result.samplesPerSecond,
                                 train_size: train.count, validation_size: validation.count, test_size: test.count,
                                 resumed_from_iteration: resumed?.state.iteration,
                                 compression_ratio: exported?.summary.compressionRatio, version: toolkitVersion)
        if let directory {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try writeAtomically(encoder.encode(report), to: directory.appendingPathComponent("results.json"))
            try writeTrace(result.trace, command: command, seed: config.seed, to: directory)
        }
        if json {
            try printJSON(report)
        } else {
            print(String(format: "%@ %@ on %@: test accuracy %.2f%% quantized, %.2f%% fractional (best validation %.2f%% at iteration %d), %.1f s, %.0f samples/s",
                         config.arch, spec.description, config.dataset, 100 * result.testAccuracy, 100 * result.testAccuracyFractional,
                         100 * result.bestValidationAccuracy, result.bestIteration, result.seconds, result.samplesPerSecond))
        }
    }

    private func commandLine(_ c: RunConfig) -> String {
        "pmf train --arch \(c.arch) --method '\(c.method)' --levels \(c.levels) --dataset \(c.dataset) --epochs \(c.epochs) "
            + "--batch-size \(c.batchSize) --optimizer \(c.optimizer) --lr \(c.lr) --schedule '\(c.schedule)' --seed \(c.seed)"
            + (c.floatLayers.isEmpty ? "" : " --float-layers \(c.floatLayers.joined(separator: ","))")
    }
}

/// Writes `trace.dat`: one row per logged iteration.
func writeTrace(_ trace: [TraceRow], command: String, seed: UInt, to directory: URL) throws {
    guard !trace.isEmpty else { return }
    let rows = trace.map {
        [Double($0.iteration), $0.epoch, $0.loss, $0.trainAccuracy, $0.learningRate, $0.validationAccuracy ?? .nan,
         $0.validationAccuracyFractional, $0.beta, $0.meanEntropy, $0.vertexFraction, $0.flipRatio]
    }
    _ = try DataFile(
        name: "trace",
        columns: [DataColumn("iteration"), DataColumn("epoch"), DataColumn("loss", unit: "nats"),
                  DataColumn("train_accuracy", unit: "fraction"), DataColumn("learning_rate"),
                  DataColumn("validation_accuracy_quantized", unit: "fraction"),
                  DataColumn("validation_accuracy_fractional", unit: "fraction"), DataColumn("beta"),
                  DataColumn("mean_entropy", unit: "nats"), DataColumn("vertex_fraction", unit: "fraction"),
                  DataColumn("flip_ratio", unit: "fraction")],
        provenance: Provenance(command: command, seed: UInt64(seed), version: toolkitVersion),
        datasets: [NamedDataset(name: "training", rows: rows)]
    ).write(in: directory)
}

struct TrainReport: Encodable {
    let arch, method: String
    let levels: [Double]
    let dataset: String
    let seed: UInt
    let epochs: Int
    let test_accuracy, test_accuracy_quantized, test_accuracy_fractional, best_validation_accuracy: Double
    let best_epoch, best_iteration: Int
    let seconds, samples_per_second: Double
    let train_size, validation_size, test_size: Int
    let resumed_from_iteration: Int?
    let compression_ratio: Double?
    let version: String
}

extension Architecture: ExpressibleByArgument {}
extension DatasetKind: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
