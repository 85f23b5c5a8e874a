import Foundation
import NeuralNet
import Support
import Simplex

/// The resolved settings of one training run: defaults, then a supp. Table 4 preset, then explicit
/// overrides (`resolve`). Stored as JSON in every checkpoint, so that a resumed run continues with
/// the same settings; the property names are that JSON's keys.
public struct RunConfig: Codable, Equatable, Sendable {
    /// `Architecture` raw value.
    public var arch = Architecture.lenet300.rawValue
    /// Method spec text, canonical once resolved.
    public var method = "ref"
    /// Level-set name (`binary`, `ternary`, `k4`, `-1,0,1`).
    public var levels = "binary"
    /// Parameter path prefixes kept in float.
    public var floatLayers: [String] = []
    /// `DatasetKind` raw value.
    public var dataset = DatasetKind.fashionMNIST.rawValue
    /// The dataset's folder; nil for Fashion-MNIST's package folder.
    public var data: String?
    /// Train on the first `limit` training images only (at least a batch).
    public var limit: Int?
    public var epochs = 10
    public var batchSize = 100
    public var seed: UInt = 1
    /// `OptimizerKind` raw value.
    public var optimizer = OptimizerKind.adam.rawValue
    public var lr = 1e-3
    public var momentum = 0.9
    public var weightDecay = 0.0
    /// Learning-rate schedule text, canonical once resolved.
    public var schedule = "constant"
    /// Iterations between trace rows (each evaluates the networks on the validation set).
    public var logEvery = 100
    /// The BatchNorm statistics evaluated networks use, `running` or `reestimate[batches=N]`
    /// (`BatchNormEvaluation`), canonical once resolved.
    public var bn = TrainingSettings().batchNorm.description
    /// The networks each trace row validates, `quantized` or `both` (`ValidatedNetworks`).
    public var validate = TrainingSettings().validate.rawValue

    /// The defaults.
    public init() {}

    /// The settings given explicitly (`pmf train` flags, a figure's request); nil keeps the value below.
    public struct Overrides: Sendable {
        public var arch, method, levels: String?
        public var floatLayers: [String]?
        public var dataset, data: String?
        public var limit, epochs, batchSize: Int?
        public var seed: UInt?
        public var optimizer: String?
        public var lr, momentum, weightDecay: Double?
        public var schedule: String?
        public var logEvery: Int?
        public var bn: String?
        public var validate: String?

        /// No overrides.
        public init() {}
    }

    /// Defaults ← `preset` ← `overrides`, validated, with canonical method and schedule text. With
    /// `trainingImages` (the images the run trains on, after `limit`), the preset's β and
    /// learning-rate schedules are rescaled to the run's length (`Preset.rescaled`); without, they
    /// stay at the paper's length.
    /// - Throws: `QuantizationError` naming the setting that is out of range or unparsable.
    public static func resolve(preset: Preset?, overrides: Overrides, trainingImages: Int? = nil) throws -> RunConfig {
        var base = RunConfig()
        if let p = preset {
            (base.arch, base.method, base.levels, base.dataset) = (p.arch, p.method, p.levels, p.dataset)
            (base.epochs, base.batchSize, base.optimizer, base.lr) = (p.epochs, p.batchSize, p.optimizer.rawValue, p.learningRate)
            (base.momentum, base.weightDecay, base.schedule, base.bn) = (p.momentum, p.weightDecay, p.schedule.description, p.batchNorm.description)
            base.validate = p.validate.rawValue
        }
        let config = try base.applying(overrides)
        guard let preset, let trainingImages else { return config }
        let rescaled = try preset.rescaled(toIterations: config.epochs * ((trainingImages + config.batchSize - 1) / config.batchSize))
        (base.method, base.schedule) = (rescaled.method, rescaled.schedule.description)
        return try base.applying(overrides)
    }

    /// The settings stored in `checkpoint`, which `overrides` may repeat but not change.
    /// - Throws: `QuantizationError` naming `path` when the settings are unreadable or `overrides` change them.
    public static func resuming(_ checkpoint: Checkpoint, path: String, overrides: Overrides) throws -> RunConfig {
        guard let saved = try? jsonDecoder().decode(RunConfig.self, from: Data(checkpoint.settings.utf8)) else {
            throw QuantizationError("\(path): the checkpoint's settings are unreadable")
        }
        guard try saved.applying(overrides) == saved else {
            throw QuantizationError("--resume continues the run with the settings in its checkpoint (\(saved.json)); drop the flags that change them")
        }
        return saved
    }

    /// The settings in the JSON file at `url` (as a run folder's `config.json` or a checkpoint
    /// stores them), with `overrides` applied as given: nothing is rescaled, since the file's
    /// schedules are already the run's own.
    /// - Throws: `QuantizationError` naming the file when it is unreadable or not settings, or the
    ///   setting that is out of range.
    public init(contentsOf url: URL, overrides: Overrides) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw QuantizationError("\(url.path): cannot read the run settings")
        }
        let saved: RunConfig
        do {
            saved = try jsonDecoder().decode(RunConfig.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw QuantizationError("\(url.path): the run settings lack '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw QuantizationError("\(url.path): '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
        } catch {
            throw QuantizationError("\(url.path): not a JSON object of run settings")
        }
        do {
            self = try saved.applying(overrides)
        } catch {
            throw QuantizationError("\(url.path): \(error)")
        }
    }

    /// `self` with `overrides` applied, validated, with canonical method and schedule text.
    func applying(_ overrides: Overrides) throws -> RunConfig {
        var c = self
        let o = overrides
        if let v = o.arch { c.arch = v }
        if let v = o.method { c.method = v }
        if let v = o.levels { c.levels = v }
        if let v = o.floatLayers { c.floatLayers = v }
        if let v = o.dataset { c.dataset = v }
        if let v = o.data { c.data = v }
        if let v = o.limit { c.limit = v }
        if let v = o.epochs { c.epochs = v }
        if let v = o.batchSize { c.batchSize = v }
        if let v = o.seed { c.seed = v }
        if let v = o.optimizer { c.optimizer = v }
        if let v = o.lr { c.lr = v }
        if let v = o.momentum { c.momentum = v }
        if let v = o.weightDecay { c.weightDecay = v }
        if let v = o.schedule { c.schedule = v }
        if let v = o.logEvery { c.logEvery = v }
        if let v = o.bn { c.bn = v }
        if let v = o.validate { c.validate = v }
        guard c.epochs >= 1, c.batchSize >= 2, c.logEvery >= 1 else {
            throw QuantizationError("--epochs, --log-every must be ≥ 1 and --batch-size ≥ 2")
        }
        guard c.lr > 0, c.lr.isFinite, c.weightDecay >= 0, c.weightDecay.isFinite, c.momentum >= 0, c.momentum < 1 else {
            throw QuantizationError("--lr must be positive, --weight-decay ≥ 0 and --momentum in [0, 1)")
        }
        _ = try c.kinds()
        // Canonical method, schedule and BatchNorm text, so that equal settings compare equal.
        c.method = try MethodSpec(parsing: c.method).description
        c.schedule = try LearningRateSchedule(parsing: c.schedule).description
        c.bn = try BatchNormEvaluation(parsing: c.bn).description
        guard ValidatedNetworks(rawValue: c.validate) != nil else {
            throw QuantizationError("--validate is '\(c.validate)'; it must be one of \(ValidatedNetworks.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        _ = try QuantizationLevels(name: c.levels)
        return c
    }

    /// The dataset, network and optimizer the raw values name.
    /// - Throws: `QuantizationError` for an unknown one.
    func kinds() throws -> (dataset: DatasetKind, arch: Architecture, optimizer: OptimizerKind) {
        guard let dataset = DatasetKind(rawValue: dataset), let arch = Architecture(rawValue: arch),
              let optimizer = OptimizerKind(rawValue: optimizer) else {
            throw QuantizationError("unknown dataset, architecture or optimizer in the settings \(json)")
        }
        return (dataset, arch, optimizer)
    }

    /// One line of JSON, keys sorted: what a checkpoint stores.
    public var json: String {
        (try? jsonText(self)) ?? ""
    }

    /// The `pmf train` command of these settings (without data paths), for provenance in `trace.dat`.
    public var commandLine: String {
        "pmf train --arch \(arch) --method '\(method)' --levels \(levels) --dataset \(dataset) --epochs \(epochs) "
            + "--batch-size \(batchSize) --optimizer \(optimizer) --lr \(lr) --schedule '\(schedule)' --bn '\(bn)' --validate \(validate) --seed \(seed)"
            + (floatLayers.isEmpty ? "" : " --float-layers \(floatLayers.joined(separator: ","))")
    }
}
