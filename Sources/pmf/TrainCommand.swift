import ArgumentParser
import Foundation
import NeuralNet
import Quantization

/// `pmf train`: trains a network with one of the compared methods and reports its test accuracy.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a network with REF, BC, PQ, PICM, PGD, PMF or MD and report test accuracy.",
        discussion: """
        Methods are one value each: ref, bc, picm[init=tied|independent], pq[reg=0.001,span=40], \
        pgd[rho=1.2,every=100,cap=10000,init=…], pmf[rho=1.2,every=100,cap=10000,jacobian=exact|reference|onesoftmax,tilde=true|false,init=…], \
        md[rho=…,init=…]. \
        A preset (--list-presets) sets every hyperparameter of a supp. Table 4 cell; explicit flags override it. \
        --run FILE trains the settings a run folder's config.json (or any JSON of the same keys) holds, as they \
        are; explicit flags override them, without rescaling; with --resume, the checkpoint must have been written \
        by those settings.
        When the run is shorter than the paper's K iterations (fewer --epochs, or a --limit), the preset's β and \
        learning-rate schedules are rescaled to the run's length.
        """)

    @Option(help: "A supp. Table 4 preset, e.g. mnist-lenet300-pmf (see --list-presets).") var preset: String?
    @Flag(name: .customLong("list-presets"), help: "List the presets and exit.") var listPresets = false
    @Option(name: .customLong("run"), help: "Train the settings in this JSON file (a run folder's config.json), flags overriding them.") var runFile: String?
    @Option(help: "Network: \(Architecture.allCases.map(\.rawValue).joined(separator: ", ")).") var arch: String?
    @Option(help: "Training method spec, e.g. pmf[rho=1.2] (default ref).") var method: String?
    @Option(help: "Level set: binary, ternary, kN (e.g. k4) or a list like -1,0,1.") var levels: String?
    @Option(name: .customLong("float-layers"), help: "Comma-separated parameter path prefixes kept in float, e.g. 1,7.") var floatLayers: String?
    @Option(help: "Dataset: \(DatasetKind.allCases.map(\.rawValue).joined(separator: ", ")).") var dataset: String?
    @Option(help: "Folder with the dataset's files (default for mnist: the cache make mnist fills, \(DatasetKind.mnistCacheFolder()); for fashion-mnist: \(DatasetKind.fashionMNISTPackageFolder)).") var data: String?
    @Option(help: "Use only the first N training images (quick runs); validation and test stay whole.") var limit: String?
    @Option var epochs: String?
    @Option(name: .customLong("batch-size")) var batchSize: String?
    @Option var seed: String?
    @Option(help: "Optimizer: \(OptimizerKind.allCases.map(\.rawValue).joined(separator: ", ")).") var optimizer: String?
    @Option(help: "Learning rate.") var lr: String?
    @Option(help: "SGD momentum.") var momentum: String?
    @Option(name: .customLong("weight-decay")) var weightDecay: String?
    @Option(help: "Learning-rate schedule: constant, step[every=7000,factor=0.2], multistep[at=I:J,factor=F], exponential[gamma=G].") var schedule: String?
    @Option(help: "Iterations between trace rows (each evaluates the quantized network, and as --validate says the fractional one, on validation data).") var logEvery: String?
    @Option(help: "BatchNorm statistics of every evaluated network: running (gathered during training, the reference code's) or reestimate[batches=N] (re-estimated for its own weights over the first N training batches; default reestimate[batches=20], presets running).") var bn: String?
    @Option(help: "Networks each trace row validates: quantized (the reference code's; presets) or both (also the fractional network; the default without a preset).") var validate: String?
    @Option(help: "Convolutions' products: winograd (F(2×2,3×3) for 3×3 kernels of stride 1; the default) or gemm (im2col + sgemm, each output a plain sum).") var convolution: String?
    @Option(help: "Folder for results.json, trace.dat and checkpoint.bin.") var out: String?
    @Option(name: .customLong("checkpoint-every"), help: "Iterations between checkpoints in --out (one is always written at the end).") var checkpointEvery: Int?
    @Option(help: "Continue the run whose checkpoint is in this folder; finishes with the weights of the uninterrupted run.") var resume: String?
    @Option(help: "Folder to export the trained quantized network to (.npy per layer, manifest.json, summary.txt).") var export: String?
    @Option(name: .customLong("init"), help: "Start from the method's state in this folder (one .npy per state tensor, as --write-init writes) instead of the seeded initialisation.") var initFolder: String?
    @Option(name: .customLong("write-init"), help: "Write the method's starting state (one .npy per state tensor, e.g. 1.weight.utilde.npy) into this folder and exit without training.") var writeInit: String?
    @Option(name: .customLong("batch-order"), help: "Take each epoch's batches in the order this integer .npy of shape [epochs, training images] gives, instead of the seeded shuffle.") var batchOrder: String?
    @Option(name: .customLong("write-batch-order"), help: "Write the batch order the run used (.npy, [epochs, training images]) to this file at its end.") var writeBatchOrder: String?
    @Option(help: "Record every step's loss and, every --record-every steps, the method's, optimizer's and BatchNorm's state into this new folder (docs/crosscheck.md).") var record: String?
    @Option(name: .customLong("record-every"), help: "Steps between recorded states (default 100; the start and the last step are always recorded).") var recordEvery: Int?
    @Flag(help: "Print the model summary before training.") var summary = false
    @Flag(help: "Print one JSON object with the results.") var json = false

    /// The text of each flag that sets a `RunSpec` setting, by key (a test checks that every key has its flag).
    var specFlags: [RunSpec.Key: String?] {
        [.arch: arch, .dataset: dataset, .data: data, .method: method, .levels: levels, .floatLayers: floatLayers, .limit: limit,
         .epochs: epochs, .batchSize: batchSize, .optimizer: optimizer, .lr: lr, .momentum: momentum, .weightDecay: weightDecay,
         .schedule: schedule, .logEvery: logEvery, .bn: bn, .validate: validate, .seed: seed, .convolution: convolution]
    }

    /// The flags that set the run's settings, each parsed by `RunSpec.Overrides.set`.
    func overrides() throws -> RunSpec.Overrides {
        var o = RunSpec.Overrides()
        for key in RunSpec.Key.allCases {
            if let text = specFlags[key] ?? nil { try o.set(key, to: text) }
        }
        return o
    }

    func run() throws {
        if listPresets {
            print(Preset.table)
            return
        }
        if let checkpointEvery, checkpointEvery < 1 { throw CommandError("--checkpoint-every must be ≥ 1") }
        let replay = try replayOptions()
        let outFolder = out ?? resume
        if checkpointEvery != nil, outFolder == nil { throw CommandError("--checkpoint-every needs --out FOLDER for the checkpoints") }
        if runFile != nil, preset != nil { throw CommandError("--run cannot be combined with --preset: the file already holds every setting") }
        let chosen = try preset.map { try Preset.named($0) }
        let overrides = try overrides()
        let spec: RunSpec, data: RunData, checkpoint: Checkpoint?
        if let resume {
            let saved = try Checkpoint.latest(in: resume) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
            spec = try RunSpec.resuming(saved, path: resume, overrides: overrides)
            if let runFile, try RunSpec(contentsOf: URL(fileURLWithPath: runFile), overrides: overrides) != spec {
                throw CommandError("\(resume): its checkpoint was written by other settings than \(runFile) holds; train afresh or resume without --run")
            }
            (data, checkpoint) = (try RunData(spec), saved)
        } else if let runFile {
            spec = try RunSpec(contentsOf: URL(fileURLWithPath: runFile), overrides: overrides)
            (data, checkpoint) = (try RunData(spec), nil)
        } else {
            // The preset at the paper's length picks the data; its schedules are then rescaled to the run's length.
            data = try RunData(try RunSpec.resolve(preset: chosen, overrides: overrides))
            spec = try RunSpec.resolve(preset: chosen, overrides: overrides, trainingImages: data.train.count)
            checkpoint = nil
        }
        var job = TrainingJob(spec: spec, folder: outFolder.map { URL(fileURLWithPath: $0, isDirectory: true) },
                              checkpointEvery: checkpointEvery ?? .max, resume: checkpoint,
                              export: export.map { URL(fileURLWithPath: $0, isDirectory: true) })
        job.replay = replay
        if let writeInit { return try job.writeInitialState(for: data, to: URL(fileURLWithPath: writeInit, isDirectory: true)) }
        if summary { FileHandle.standardError.write(Data((try job.modelSummary(for: data) + "\n").utf8)) }
        let bar = ProgressBar(label: "\(spec.arch.rawValue)/\(spec.method.kind.rawValue)")
        let (report, exported) = try job.run(on: data, progress: bar.report)
        bar.finish()
        if json { return try printJSON(report) }
        if let exported { print(exported.summary.text) }
        print(String(format: "%@ %@ on %@: test accuracy %.2f%% quantized, %.2f%% fractional (best validation %.2f%% at iteration %d), %.1f s, %.0f samples/s",
                     spec.arch.rawValue, report.method, spec.dataset.rawValue, 100 * report.testAccuracy, 100 * report.testAccuracyFractional,
                     100 * report.bestValidationAccuracy, report.bestIteration, report.seconds, report.samplesPerSecond))
    }
}

extension Train {
    /// The replay flags as job options; refused with --resume, whose checkpoint stores none of them.
    func replayOptions() throws -> ReplayOptions {
        var options = ReplayOptions()
        let folder = { (path: String) in URL(fileURLWithPath: path, isDirectory: true) }
        (options.initFolder, options.record) = (initFolder.map(folder), record.map(folder))
        (options.batchOrder, options.writeBatchOrder) = (batchOrder.map(URL.init(fileURLWithPath:)), writeBatchOrder.map(URL.init(fileURLWithPath:)))
        if let recordEvery {
            guard recordEvery >= 1 else { throw CommandError("--record-every must be ≥ 1") }
            guard record != nil else { throw CommandError("--record-every needs --record FOLDER") }
            options.recordEvery = recordEvery
        }
        let given = [("--init", initFolder), ("--write-init", writeInit), ("--batch-order", batchOrder),
                     ("--write-batch-order", writeBatchOrder), ("--record", record)].filter { $0.1 != nil }.map(\.0)
        if resume != nil, let first = given.first {
            throw CommandError("\(first) cannot be combined with --resume: the checkpoint does not store it; rerun from the start")
        }
        return options
    }
}

extension Architecture: ExpressibleByArgument {}
extension DatasetKind: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
