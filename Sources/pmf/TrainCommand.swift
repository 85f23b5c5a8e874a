import ArgumentParser
import Foundation
import Gnuplot
import NeuralNet
import Simplex

/// `pmf train`: trains a network on a real dataset and reports its test accuracy.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a network (float reference: --method ref) and report test accuracy.")

    @Option(help: "Network: \(Architecture.allCases.map(\.rawValue).joined(separator: ", ")).") var arch: Architecture = .lenet300
    @Option(help: "Training method (this build: ref).") var method = "ref"
    @Option(help: "Dataset: \(DatasetKind.allCases.map(\.rawValue).joined(separator: ", ")).") var dataset: DatasetKind = .fashionMNIST
    @Option(help: "Folder with the dataset's files (default: the dataset-fashion-mnist package's folder).") var data: String?
    @Option(help: "Use only the first N training images (quick runs); validation and test stay whole.") var limit: Int?
    @Option var epochs = 10
    @Option(name: .customLong("batch-size")) var batchSize = 100
    @Option var seed: UInt = 1
    @Option var optimizer: OptimizerKind = .adam
    @Option(help: "Learning rate.") var lr = 1e-3
    @Option(name: .customLong("weight-decay")) var weightDecay = 0.0
    @Option(help: "Iterations between trace rows and progress lines.") var logEvery = 100
    @Option(help: "Folder for results.json and trace.dat.") var out: String?
    @Flag(help: "Print the model summary before training.") var summary = false
    @Flag(help: "Print one JSON object with the results.") var json = false

    func validate() throws {
        guard epochs >= 1, batchSize >= 2, logEvery >= 1 else { throw CommandError("--epochs, --log-every must be ≥ 1 and --batch-size ≥ 2") }
        guard lr > 0, lr.isFinite, weightDecay >= 0 else { throw CommandError("--lr must be positive and --weight-decay ≥ 0") }
        guard method == "ref" else { throw CommandError("unknown --method '\(method)'; this build trains: ref") }
    }

    func run() throws {
        let folder = data ?? (dataset == .fashionMNIST ? DatasetKind.fashionMNISTPackageFolder : "")
        guard !folder.isEmpty else { throw CommandError("--dataset \(dataset.rawValue) needs --data FOLDER holding \(dataset.expectedFiles.joined(separator: ", "))") }
        let (full, test) = try dataset.load(from: folder)
        var (train, validation) = full.splitValidation(fraction: dataset.validationFraction)
        if let limit { train = train.slice(0 ..< min(max(limit, batchSize), train.count)) }

        let random = RandomSource(seed: seed)
        let model = arch.build(imageShape: train.imageShape, classes: train.classes)
        initialize(model, using: random)
        if summary { FileHandle.standardError.write(Data((NeuralNet.summary(of: model, imageShape: train.imageShape) + "\n").utf8)) }

        var settings = TrainingSettings()
        (settings.epochs, settings.batchSize, settings.seed) = (epochs, batchSize, seed)
        (settings.optimizer, settings.learningRate, settings.weightDecay, settings.logEvery) = (optimizer, lr, weightDecay, logEvery)
        let trainer = Trainer(model: model, method: FloatWeights(model), settings: settings, random: random)
        let bar = ProgressBar(label: "\(arch.rawValue)/\(method)")
        let result = try trainer.run(train: train, validation: validation, test: test, augment: dataset.augments, progress: bar.report)
        bar.finish()

        let report = TrainReport(arch: arch.rawValue, method: method, dataset: dataset.rawValue, seed: seed, epochs: result.epochs,
                                 test_accuracy: result.testAccuracy, best_validation_accuracy: result.bestValidationAccuracy,
                                 best_epoch: result.bestEpoch, seconds: result.seconds, samples_per_second: result.samplesPerSecond,
                                 train_size: train.count, validation_size: validation.count, test_size: test.count, version: toolkitVersion)
        if let out { try write(report, trace: result.trace, to: out) }
        if json {
            try printJSON(report)
        } else {
            print(String(format: "%@ %@ on %@: test accuracy %.2f%% (best validation %.2f%% at epoch %d), %.1f s, %.0f samples/s",
                         arch.rawValue, method, dataset.rawValue, 100 * result.testAccuracy, 100 * result.bestValidationAccuracy,
                         result.bestEpoch, result.seconds, result.samplesPerSecond))
        }
    }

    private func write(_ report: TrainReport, trace: [TraceRow], to folder: String) throws {
        let directory = URL(fileURLWithPath: folder, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeAtomically(encoder.encode(report), to: directory.appendingPathComponent("results.json"))
        let rows = trace.map { [Double($0.iteration), $0.epoch, $0.loss, $0.trainAccuracy, $0.learningRate, $0.validationAccuracy ?? .nan] }
        let command = "pmf train --arch \(arch.rawValue) --method \(method) --dataset \(dataset.rawValue) --epochs \(epochs) --seed \(seed)"
        _ = try DataFile(
            name: "trace",
            columns: [DataColumn("iteration"), DataColumn("epoch"), DataColumn("loss", unit: "nats"),
                      DataColumn("train_accuracy", unit: "fraction"), DataColumn("learning_rate"),
                      DataColumn("validation_accuracy", unit: "fraction")],
            provenance: Provenance(command: command, seed: UInt64(seed), version: toolkitVersion),
            datasets: [NamedDataset(name: "training", rows: rows)]
        ).write(in: directory)
    }
}

struct TrainReport: Encodable {
    let arch, method, dataset: String
    let seed: UInt
    let epochs: Int
    let test_accuracy, best_validation_accuracy: Double
    let best_epoch: Int
    let seconds, samples_per_second: Double
    let train_size, validation_size, test_size: Int
    let version: String
}

extension Architecture: ExpressibleByArgument {}
extension DatasetKind: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
