import Foundation
import NeuralNet
import Support
import Simplex

/// The one description of a training run: network, dataset, method, levels, optimizer, schedules,
/// evaluation protocol, seed and limits, as typed values. `pmf train` maps its flags onto it (or
/// reads one with `--run FILE`), sweeps plan one per run, figures build one per request, and every
/// checkpoint and run folder stores it (`config.json`) as JSON whose keys are `Key`'s raw values and
/// whose typed values are written as their canonical text (`pmf[rho=1.2,…]`, `step[every=…]`, `k4`).
/// Equal specs train the same bits.
public struct RunSpec: Equatable, Sendable {
    public var arch = Architecture.lenet300
    public var method = MethodSpec(kind: .ref)
    public var levels = QuantizationLevels.binary
    /// Parameter path prefixes kept in float.
    public var floatLayers: [String] = []
    public var dataset = DatasetKind.fashionMNIST
    /// The dataset's folder; nil for the dataset's default folder (`DatasetKind.folder(given:)`).
    public var data: String?
    /// Train on the first `limit` training images only (at least a batch).
    public var limit: Int?
    public var epochs = 10
    public var batchSize = 100
    public var seed: UInt = 1
    public var optimizer = OptimizerKind.adam
    public var lr = 1e-3
    public var momentum = 0.9
    public var weightDecay = 0.0
    public var schedule = LearningRateSchedule.constant
    /// Iterations between trace rows (each evaluates the networks on the validation set).
    public var logEvery = 100
    /// The BatchNorm statistics evaluated networks use.
    public var bn = TrainingSettings().batchNorm
    /// The networks each trace row validates.
    public var validate = TrainingSettings().validate
    /// How the convolutions form their products: Winograd F(2×2, r×r) for the 3×3 and 5×5 ones of
    /// stride 1, or im2col + sgemm (`gemm`, every output a plain sum of its products).
    public var convolution = ConvolutionAlgorithm.winograd

    /// The defaults.
    public init() {}

    /// Defaults ← `preset` ← `overrides`, validated. With `trainingImages` (the images the run trains
    /// on, after `limit`), the preset's β and learning-rate schedules are rescaled to the run's length
    /// (`Preset.rescaled`); without, they stay at the paper's length.
    /// - Throws: `QuantizationError` naming the setting that is out of range.
    public static func resolve(preset: Preset?, overrides: Overrides, trainingImages: Int? = nil) throws(QuantizationError) -> RunSpec {
        var base = RunSpec()
        if let p = preset {
            (base.arch, base.method, base.levels, base.dataset) = (p.arch, p.method, p.levels, p.dataset)
            (base.epochs, base.batchSize, base.optimizer, base.lr) = (p.epochs, p.batchSize, p.optimizer, p.learningRate)
            (base.momentum, base.weightDecay, base.schedule, base.bn, base.validate) = (p.momentum, p.weightDecay, p.schedule, p.batchNorm, p.validate)
        }
        let spec = try base.applying(overrides)
        guard let preset, let trainingImages else { return spec }
        let rescaled = preset.rescaled(toIterations: spec.epochs * ((trainingImages + spec.batchSize - 1) / spec.batchSize))
        (base.method, base.schedule) = (rescaled.method, rescaled.schedule)
        return try base.applying(overrides)
    }

    /// `self` with `overrides` applied, validated.
    /// - Throws: `QuantizationError` naming the flag whose value is out of range.
    public func applying(_ overrides: Overrides) throws(QuantizationError) -> RunSpec {
        var s = self
        let o = overrides
        if let v = o.arch { s.arch = v }
        if let v = o.method { s.method = v }
        if let v = o.levels { s.levels = v }
        if let v = o.floatLayers { s.floatLayers = v }
        if let v = o.dataset { s.dataset = v }
        if let v = o.data { s.data = v }
        if let v = o.limit { s.limit = v }
        if let v = o.epochs { s.epochs = v }
        if let v = o.batchSize { s.batchSize = v }
        if let v = o.seed { s.seed = v }
        if let v = o.optimizer { s.optimizer = v }
        if let v = o.lr { s.lr = v }
        if let v = o.momentum { s.momentum = v }
        if let v = o.weightDecay { s.weightDecay = v }
        if let v = o.schedule { s.schedule = v }
        if let v = o.logEvery { s.logEvery = v }
        if let v = o.bn { s.bn = v }
        if let v = o.validate { s.validate = v }
        if let v = o.convolution { s.convolution = v }
        try s.validated()
        return s
    }

    /// Checks the ranges the types do not.
    private func validated() throws(QuantizationError) {
        guard epochs >= 1, batchSize >= 2, logEvery >= 1 else {
            throw QuantizationError("--epochs, --log-every must be ≥ 1 and --batch-size ≥ 2")
        }
        guard lr > 0, lr.isFinite, weightDecay >= 0, weightDecay.isFinite, momentum >= 0, momentum < 1 else {
            throw QuantizationError("--lr must be positive, --weight-decay ≥ 0 and --momentum in [0, 1)")
        }
        if let limit, limit < 1 { throw QuantizationError("--limit must be ≥ 1") }
    }

    /// The settings stored in `checkpoint`, which `overrides` may repeat but not change.
    /// - Throws: `QuantizationError` naming `path` when the settings are unreadable or `overrides` change them.
    public static func resuming(_ checkpoint: Checkpoint, path: String, overrides: Overrides) throws -> RunSpec {
        let saved: RunSpec
        do { saved = try RunSpec(json: Data(checkpoint.settings.utf8), source: path) } catch {
            throw QuantizationError("\(path): the checkpoint's settings are unreadable: \(error)")
        }
        guard try saved.applying(overrides) == saved else {
            throw QuantizationError("--resume continues the run with the settings in its checkpoint (\(saved.json)); drop the flags that change them")
        }
        return saved
    }

    /// The spec in the JSON file at `url` (a run folder's `config.json`), with `overrides` applied as
    /// given: nothing is rescaled, since the file's schedules are already the run's own.
    /// - Throws: `QuantizationError` naming the file and the key when it is unreadable, not a spec,
    ///   or a value is unparsable or out of range.
    public init(contentsOf url: URL, overrides: Overrides = Overrides()) throws(QuantizationError) {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw QuantizationError("\(url.path): cannot read the run settings")
        }
        let saved = try RunSpec(json: data, source: url.path)
        do { self = try saved.applying(overrides) } catch { throw QuantizationError("\(url.path): \(error)") }
    }

    /// Decodes JSON, turning decoding errors into one line naming `source` and the key.
    init(json data: Data, source: String) throws(QuantizationError) {
        do {
            self = try jsonDecoder().decode(RunSpec.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw QuantizationError("\(source): the run settings lack '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw QuantizationError("\(source): '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw QuantizationError("\(source): '\(context.codingPath.map(\.stringValue).joined(separator: "."))': \(context.debugDescription)")
        } catch {
            throw QuantizationError("\(source): not a JSON object of run settings")
        }
    }

    /// One line of JSON, keys sorted: what a checkpoint stores.
    public var json: String {
        (try? jsonText(self)) ?? ""
    }

    /// The `pmf train` command of this spec (without the data folder), for provenance in `trace.dat`.
    public var commandLine: String {
        (["pmf train"] + Key.allCases.compactMap { key in
            guard key != .data, let text = text(of: key) else { return nil }
            return "--\(key.flag) \(text.contains { "[]|,".contains($0) } ? "'\(text)'" : text)"
        }).joined(separator: " ")
    }
}
