import Foundation
import Gnuplot
import NeuralNet
import Simplex
import Support

/// The exported quantized network: one `.npy` per parameter (the hard level values, or the float
/// values of parameters kept in float), two per BatchNorm layer (running mean and variance), a
/// `manifest.json` describing them, and `summary.txt` with the memory summary.
public struct ExportManifest: Codable, Equatable {
    public struct Entry: Codable, Equatable {
        /// Parameter path, e.g. `1.weight`.
        public var path: String
        public var shape: [Int]
        /// The level set of a quantized parameter, nil for a float one.
        public var levels: [Double]?
        /// Bits per entry: ⌈log₂ d⌉ when quantized, 32 in float.
        public var bits: Int
        public var file: String
    }
    public struct Norm: Codable, Equatable {
        /// Position among the network's BatchNorm layers, in forward order.
        public var index: Int
        public var features: Int
        public var meanFile: String
        public var varianceFile: String
    }
    public var format = "pmfkit-quantized-network"
    public var version = 1
    public var arch: String
    public var dataset: String
    public var imageShape: [Int]
    public var classes: Int
    public var method: String
    public var levels: [Double]
    public var testAccuracyQuantized: Double
    public var parameters: [Entry]
    public var batchNorms: [Norm]
}

/// A Larq-style memory summary of a (partly) quantized network.
public struct MemorySummary: Codable, Equatable {
    public struct Row: Codable, Equatable {
        public var path: String
        public var parameters: Int
        public var bits: Int
        public var quantizedBytes: Double
        public var floatBytes: Double
    }
    public var rows: [Row]
    /// Non-trainable float values (BatchNorm running statistics), counted at 32 bits in both networks.
    public var statistics: Int
    public var quantizedBytes: Double { rows.reduce(0) { $0 + $1.quantizedBytes } + Double(statistics * 4) }
    public var floatBytes: Double { rows.reduce(0) { $0 + $1.floatBytes } + Double(statistics * 4) }
    public var compressionRatio: Double { floatBytes / max(quantizedBytes, 1) }

    public var text: String {
        func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
        let width = max(10, rows.map(\.path.count).max() ?? 0)
        var lines = ["\("layer".padding(toLength: width, withPad: " ", startingAt: 0))  \(pad("params", 9))  \(pad("bits", 4))  \(pad("quantized KiB", 13))  \(pad("float KiB", 10))"]
        for r in rows {
            lines.append("\(r.path.padding(toLength: width, withPad: " ", startingAt: 0))  \(pad(String(r.parameters), 9))  \(pad(String(r.bits), 4))  \(pad(String(format: "%.2f", r.quantizedBytes / 1024), 13))  \(pad(String(format: "%.2f", r.floatBytes / 1024), 10))")
        }
        lines.append("BatchNorm running statistics: \(statistics) values at 32 bits")
        lines.append(String(format: "total parameters: %d; memory quantized %.2f KiB, float %.2f KiB; compression ratio %.2f×",
                            rows.reduce(0) { $0 + $1.parameters }, quantizedBytes / 1024, floatBytes / 1024, compressionRatio))
        return lines.joined(separator: "\n")
    }
}

extension ExportManifest {
    /// The memory summary of the exported network.
    public var summary: MemorySummary {
        let rows = parameters.map { e in
            let n = e.shape.reduce(1, *)
            return MemorySummary.Row(path: e.path, parameters: n, bits: e.bits, quantizedBytes: Double(n * e.bits) / 8, floatBytes: Double(n * 4))
        }
        return MemorySummary(rows: rows, statistics: batchNorms.reduce(0) { $0 + 2 * $1.features })
    }
}

extension ExportManifest {
    /// The most values one exported array may hold (2⁴⁰): far beyond any network PMFKit trains, and
    /// small enough that sizes in bits and bytes cannot overflow.
    static let maximumValues = 1 << 40

    /// Checks the numbers a manifest's readers multiply or allocate by: the image shape, the class
    /// count, every parameter's shape and bits and every BatchNorm's feature count. Throws one line
    /// naming `path`, the field and its value.
    func validate(path: String) throws(QuantizationError) {
        func fail(_ field: String, _ value: Any, _ rule: String) -> QuantizationError {
            QuantizationError("\(path): \(field) is \(value); it must be \(rule)")
        }
        guard imageShape.count == 3 else { throw fail("imageShape", imageShape, "[height, width, channels]") }
        for (axis, extent) in imageShape.enumerated() where !(1 ... 1 << 16).contains(extent) {
            throw fail("imageShape[\(axis)]", extent, "in 1 … 65536")
        }
        guard (1 ... 1 << 20).contains(classes) else { throw fail("classes", classes, "in 1 … 1048576") }
        for entry in parameters {
            var count = 1
            for (axis, extent) in entry.shape.enumerated() {
                let (product, overflow) = count.multipliedReportingOverflow(by: extent)
                guard extent >= 0, !overflow, product <= Self.maximumValues else {
                    throw fail("the shape of \(entry.path), entry \(axis),", extent, "≥ 0 with at most \(Self.maximumValues) values in all")
                }
                count = product
            }
            guard (1 ... 32).contains(entry.bits) else { throw fail("bits of \(entry.path)", entry.bits, "in 1 … 32") }
        }
        for norm in batchNorms where !(0 ... Self.maximumValues).contains(norm.features) {
            throw fail("features of batchnorm \(norm.index)", norm.features, "in 0 … \(Self.maximumValues)")
        }
    }
}

/// Bits to store one of d levels.
func bits(levels d: Int) -> Int { max(1, Int(ceil(log2(Double(d))))) }

/// Writes and reads exports.
public enum QuantizedExport {
    /// Exports `model` as it is (call it with the quantized network in place); `quantized` names the
    /// parameters that hold level values.
    @discardableResult
    public static func write(model: any Layer, quantized: Set<String>, levels: QuantizationLevels, arch: String, dataset: String,
                             imageShape: [Int], classes: Int, method: String, testAccuracy: Double,
                             to directory: URL) throws -> ExportManifest {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var entries: [ExportManifest.Entry] = []
        for (name, parameter) in model.namedParameters(prefix: "") {
            let isQuantized = quantized.contains(name)
            if isQuantized {
                let allowed = Set(levels.vector(Float.self))
                guard parameter.value.buffer.allSatisfy(allowed.contains) else {
                    throw QuantizationError("export: parameter \(name) holds values outside the level set \(levels); export the quantized network")
                }
            }
            let file = "\(name).npy"
            try writeAtomically(NPY.encode(parameter.value.array, shape: parameter.value.shape), to: directory.appendingPathComponent(file))
            entries.append(.init(path: name, shape: parameter.value.shape, levels: isQuantized ? levels.values : nil,
                                 bits: isQuantized ? bits(levels: levels.count) : 32, file: file))
        }
        var norms: [ExportManifest.Norm] = []
        for (index, norm) in leafLayers(model).compactMap({ $0 as? BatchNorm }).enumerated() {
            let meanFile = "batchnorm\(index).running_mean.npy", varianceFile = "batchnorm\(index).running_var.npy"
            try writeAtomically(NPY.encode(norm.runningMean, shape: [norm.features]), to: directory.appendingPathComponent(meanFile))
            try writeAtomically(NPY.encode(norm.runningVariance, shape: [norm.features]), to: directory.appendingPathComponent(varianceFile))
            norms.append(.init(index: index, features: norm.features, meanFile: meanFile, varianceFile: varianceFile))
        }
        let manifest = ExportManifest(arch: arch, dataset: dataset, imageShape: imageShape, classes: classes, method: method,
                                      levels: levels.values, testAccuracyQuantized: testAccuracy, parameters: entries, batchNorms: norms)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try writeAtomically(encoder.encode(manifest), to: directory.appendingPathComponent("manifest.json"))
        try writeAtomically(manifest.summary.text + "\n", to: directory.appendingPathComponent("summary.txt"))
        return manifest
    }

    /// Reads `directory/manifest.json`.
    public static func manifest(in directory: URL) throws -> ExportManifest {
        let url = directory.appendingPathComponent("manifest.json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw QuantizationError("\(url.path): missing; pass the folder written by pmf train --export")
        }
        let manifest: ExportManifest
        do { manifest = try JSONDecoder().decode(ExportManifest.self, from: data) } catch {
            throw QuantizationError("\(url.path): not a PMFKit export manifest (\(error))")
        }
        try manifest.validate(path: url.path)
        return manifest
    }

    /// Loads the exported values into `model` (built with the manifest's architecture and shapes).
    public static func load(_ manifest: ExportManifest, from directory: URL, into model: any Layer) throws {
        let named = model.namedParameters(prefix: "")
        guard named.map(\.name) == manifest.parameters.map(\.path) else {
            throw QuantizationError("export in \(directory.path) lists parameters \(manifest.parameters.map(\.path)) but the network has \(named.map(\.name))")
        }
        func read(_ file: String) throws -> (shape: [Int], values: [Float]) {
            let url = directory.appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: url.path) else { throw QuantizationError("\(url.path): missing") }
            return try NPY.decode(data, path: url.path)
        }
        for (entry, (_, parameter)) in zip(manifest.parameters, named) {
            let array = try read(entry.file)
            guard array.shape == parameter.value.shape else {
                throw QuantizationError("\(entry.file): shape \(array.shape), the network's \(entry.path) has \(parameter.value.shape)")
            }
            parameter.value.assign(array.values)
        }
        let norms = leafLayers(model).compactMap { $0 as? BatchNorm }
        guard norms.count == manifest.batchNorms.count else {
            throw QuantizationError("export lists \(manifest.batchNorms.count) BatchNorm layers, the network has \(norms.count)")
        }
        for (norm, entry) in zip(norms, manifest.batchNorms) {
            let mean = try read(entry.meanFile), variance = try read(entry.varianceFile)
            guard mean.values.count == norm.features, variance.values.count == norm.features else {
                throw QuantizationError("\(entry.meanFile): \(mean.values.count) features, the network's BatchNorm has \(norm.features)")
            }
            norm.setRunningStatistics(mean: mean.values, variance: variance.values)
        }
    }
}
