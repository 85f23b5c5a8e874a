import Foundation
import NeuralNet
import Simplex
import Support

extension RunSpec {
    /// The settings of a run by name: the one list of them. The raw value is the JSON key of
    /// `config.json`; `flag` is the `pmf train` option and the sweep-file key. The order is that of
    /// run ids and of `commandLine`.
    public enum Key: String, CaseIterable, CodingKey, Sendable {
        case arch, dataset, data, method, levels, floatLayers, limit, epochs, batchSize, optimizer, lr, momentum, weightDecay
        case schedule, logEvery, bn, validate, seed, convolution

        /// The command-line spelling: `batchSize` → `batch-size`.
        public var flag: String {
            rawValue.reduce(into: "") { text, c in text += c.isUppercase ? "-\(c.lowercased())" : String(c) }
        }

        /// The key whose flag is `flag`, if any.
        public init?(flag: String) {
            guard let key = Self.allCases.first(where: { $0.flag == flag }) else { return nil }
            self = key
        }
    }

    /// The settings given explicitly (`pmf train` flags, a sweep's values, a figure's request); nil
    /// keeps the value below. `set(_:to:)` parses each from its text, the one parser of every flag.
    public struct Overrides: Sendable {
        public var arch: Architecture?
        public var method: MethodSpec?
        public var levels: QuantizationLevels?
        public var floatLayers: [String]?
        public var dataset: DatasetKind?
        public var data: String?
        public var limit, epochs, batchSize: Int?
        public var seed: UInt?
        public var optimizer: OptimizerKind?
        public var lr, momentum, weightDecay: Double?
        public var schedule: LearningRateSchedule?
        public var logEvery: Int?
        public var bn: BatchNormEvaluation?
        public var validate: ValidatedNetworks?
        public var convolution: ConvolutionAlgorithm?

        /// No overrides.
        public init() {}

        /// Sets `key` from `text`, written as `pmf train --FLAG TEXT` takes it.
        /// - Throws: `QuantizationError` naming the flag and the value.
        public mutating func set(_ key: Key, to text: String) throws(QuantizationError) {
            func choice<T: RawRepresentable & CaseIterable>(_: T.Type) throws(QuantizationError) -> T where T.RawValue == String {
                guard let value = T(rawValue: text) else {
                    throw QuantizationError("--\(key.flag) is '\(text)'; use one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return value
            }
            func number<T: LosslessStringConvertible>(_: T.Type) throws(QuantizationError) -> T {
                guard let value = T(text.trimmingCharacters(in: .whitespaces)) else {
                    throw QuantizationError("--\(key.flag) is '\(text)'; it must be a number")
                }
                return value
            }
            switch key {
            case .arch: arch = try choice(Architecture.self)
            case .dataset: dataset = try choice(DatasetKind.self)
            case .data: data = text
            case .method: method = try MethodSpec(parsing: text)
            case .levels:
                do { levels = try QuantizationLevels(name: text) } catch { throw QuantizationError("--levels: \(error)") }
            case .floatLayers: floatLayers = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            case .limit: limit = try number(Int.self)
            case .epochs: epochs = try number(Int.self)
            case .batchSize: batchSize = try number(Int.self)
            case .seed: seed = try number(UInt.self)
            case .optimizer: optimizer = try choice(OptimizerKind.self)
            case .lr: lr = try number(Double.self)
            case .momentum: momentum = try number(Double.self)
            case .weightDecay: weightDecay = try number(Double.self)
            case .schedule: schedule = try LearningRateSchedule(parsing: text)
            case .logEvery: logEvery = try number(Int.self)
            case .bn: bn = try BatchNormEvaluation(parsing: text)
            case .validate: validate = try choice(ValidatedNetworks.self)
            case .convolution: convolution = try choice(ConvolutionAlgorithm.self)
            }
        }
    }

}

extension RunSpec.Overrides {
    /// These overrides with `key` set from `text` (`set(_:to:)`).
    public func setting(_ key: RunSpec.Key, to text: String) throws(QuantizationError) -> RunSpec.Overrides {
        var copy = self
        try copy.set(key, to: text)
        return copy
    }
}

extension RunSpec {
    /// The canonical text of setting `key`, as `Overrides.set` reads it back; nil for an unset limit
    /// or data folder and for no float layers.
    public func text(of key: Key) -> String? {
        switch key {
        case .arch: arch.rawValue
        case .dataset: dataset.rawValue
        case .data: data
        case .method: method.description
        case .levels: levels.name
        case .floatLayers: floatLayers.isEmpty ? nil : floatLayers.joined(separator: ",")
        case .limit: limit.map(String.init)
        case .epochs: String(epochs)
        case .batchSize: String(batchSize)
        case .seed: String(seed)
        case .optimizer: optimizer.rawValue
        case .lr: SpecText.number(lr)
        case .momentum: SpecText.number(momentum)
        case .weightDecay: SpecText.number(weightDecay)
        case .schedule: schedule.description
        case .logEvery: String(logEvery)
        case .bn: bn.description
        case .validate: validate.rawValue
        case .convolution: convolution.rawValue
        }
    }
}

/// JSON with `Key`'s raw values as keys: numbers as numbers, `floatLayers` as a list, `data` and
/// `limit` only when set, every typed value as its canonical text. A file without `convolution`
/// (written before the setting existed) reads as the default, `winograd`.
extension RunSpec: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        var o = Overrides()
        func parse(_ key: Key) throws {
            let text = try c.decode(String.self, forKey: key)
            do { try o.set(key, to: text) } catch {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: error.description)
            }
        }
        for key in [Key.arch, .dataset, .method, .levels, .optimizer, .schedule, .bn, .validate] { try parse(key) }
        if c.contains(.convolution) { try parse(.convolution) }
        (o.floatLayers, o.data, o.limit) = (try c.decode([String].self, forKey: .floatLayers), try c.decodeIfPresent(String.self, forKey: .data),
                                            try c.decodeIfPresent(Int.self, forKey: .limit))
        (o.epochs, o.batchSize, o.seed, o.logEvery) = (try c.decode(Int.self, forKey: .epochs), try c.decode(Int.self, forKey: .batchSize),
                                                       try c.decode(UInt.self, forKey: .seed), try c.decode(Int.self, forKey: .logEvery))
        (o.lr, o.momentum, o.weightDecay) = (try c.decode(Double.self, forKey: .lr), try c.decode(Double.self, forKey: .momentum),
                                             try c.decode(Double.self, forKey: .weightDecay))
        do { self = try RunSpec().applying(o) } catch {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: [], debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for key in [Key.arch, .dataset, .method, .levels, .optimizer, .schedule, .bn, .validate, .convolution] {
            try c.encode(text(of: key), forKey: key)
        }
        try c.encode(floatLayers, forKey: .floatLayers)
        try c.encodeIfPresent(data, forKey: .data)
        try c.encodeIfPresent(limit, forKey: .limit)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(seed, forKey: .seed)
        try c.encode(logEvery, forKey: .logEvery)
        try c.encode(lr, forKey: .lr)
        try c.encode(momentum, forKey: .momentum)
        try c.encode(weightDecay, forKey: .weightDecay)
    }
}
