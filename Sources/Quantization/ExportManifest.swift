import Foundation
import Support

/// `manifest.json` of an exported network: everything a client needs to run it — the layer list,
/// the memory layouts, the input normalisation — and one entry per array file (docs/export.md).
public struct ExportManifest: Codable, Equatable {
    /// One `.npy` file: a parameter (the hard level values of a quantized one, the float values
    /// of one kept in float) or a BatchNorm running statistic.
    public struct Entry: Codable, Equatable {
        /// Parameter path, e.g. `1.weight`, or buffer path, e.g. `2.running_var`.
        public var path: String
        public var shape: [Int]
        /// What each axis indexes, e.g. ["out", "kernelHeight", "kernelWidth", "in"].
        public var axes: [String]
        /// The level set of a quantized parameter, nil for a float one.
        public var levels: [Double]?
        /// Bits per entry: ⌈log₂ d⌉ when quantized, 32 in float.
        public var bits: Int
        public var file: String
    }

    /// How images become the network's input: x = (p/255 − mean_c)/std_c per channel c, with the
    /// statistics of the training file (`Dataset.normalization`).
    public struct Normalization: Codable, Equatable {
        public var mean: [Double]
        public var std: [Double]
        /// The rule in words, exact to the float32 rounding.
        public var rule = Self.rule

        public static let rule = "x = (float32(p)/255 - float32(mean[c])) * float32(1/std[c]) in float32, "
            + "for a pixel byte p in channel c; mean and std are over every pixel of the training file, std the biased deviation"
    }

    /// The manifest version this PMFKit writes and reads; others are refused.
    public static let currentVersion = 2
    public static let formatName = "pmfkit-quantized-network"

    public var format = Self.formatName
    public var version = Self.currentVersion
    public var arch: String
    public var dataset: String
    /// [H, W, C] of one image.
    public var imageShape: [Int]
    /// The axis order of the network's input and activations.
    public var imageLayout = "NHWC"
    public var classes: Int
    public var method: String
    public var levels: [Double]
    public var testAccuracyQuantized: Double
    public var normalization: Normalization
    /// The network's layers in forward order.
    public var layers: [ExportLayer]
    /// The parameters, in the order of the network's `namedParameters`.
    public var parameters: [Entry]
    /// BatchNorm's running mean and variance, in forward order.
    public var buffers: [Entry]
}

extension ExportManifest {
    /// The most values one exported array may hold (2⁴⁰): far beyond any network PMFKit trains, and
    /// small enough that sizes in bits and bytes cannot overflow.
    static let maximumValues = 1 << 40

    /// Reads a manifest's text, refusing other formats and versions before anything else.
    /// - Throws: one line naming `path` and, for a malformed field, its place in the file.
    static func decode(_ data: Data, path: String) throws(QuantizationError) -> ExportManifest {
        struct Header: Decodable { var format: String?, version: Int? }
        let decoder = jsonDecoder()
        do {
            let header = try decoder.decode(Header.self, from: data)
            guard header.format == formatName else {
                throw QuantizationError("\(path): format is \(header.format.map { "\"\($0)\"" } ?? "absent"); it must be \"\(formatName)\" (pass the folder written by pmf train --export)")
            }
            guard header.version == currentVersion else {
                throw QuantizationError("\(path): version is \(header.version.map(String.init) ?? "absent"); this pmf reads version \(currentVersion) only (export the network again with this pmf's train --export)")
            }
            let manifest = try decoder.decode(ExportManifest.self, from: data)
            try manifest.validate(path: path)
            return manifest
        } catch let error as QuantizationError {
            throw error
        } catch let DecodingError.keyNotFound(key, context) {
            throw QuantizationError("\(path): \(field(context.codingPath + [key])) is missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context),
                let DecodingError.dataCorrupted(context) {
            throw QuantizationError("\(path): \(context.codingPath.isEmpty ? "the file" : field(context.codingPath)) is malformed: \(context.debugDescription)")
        } catch {
            throw QuantizationError("\(path): not a PMFKit export manifest (\(error))")
        }
    }

    /// A coding path as the manifest's text spells it, e.g. `layers[3].body[0].kernel`.
    private static func field(_ path: [any CodingKey]) -> String {
        path.reduce("") { text, key in key.intValue.map { "\(text)[\($0)]" } ?? (text.isEmpty ? key.stringValue : "\(text).\(key.stringValue)") }
    }

    /// Checks what a manifest's readers multiply, allocate or compute with: the image shape, the
    /// class count, the normalisation, the layer list (`ExportLayer.plan`, whose output must be the
    /// class scores) and the entries, whose paths, shapes and axes must be the ones the layers
    /// imply. Throws one line naming `path`, the field and its value.
    func validate(path: String) throws(QuantizationError) {
        func fail(_ field: String, _ value: Any, _ rule: String) -> QuantizationError {
            QuantizationError("\(path): \(field) is \(value); it must be \(rule)")
        }
        guard imageShape.count == 3 else { throw fail("imageShape", imageShape, "[height, width, channels]") }
        for (axis, extent) in imageShape.enumerated() where !(1 ... 1 << 16).contains(extent) {
            throw fail("imageShape[\(axis)]", extent, "in 1 … 65536")
        }
        guard imageLayout == "NHWC" else { throw fail("imageLayout", "\"\(imageLayout)\"", "\"NHWC\"") }
        guard (1 ... 1 << 20).contains(classes) else { throw fail("classes", classes, "in 1 … 1048576") }
        for (field, values) in [("normalization.mean", normalization.mean), ("normalization.std", normalization.std)] {
            guard values.count == imageShape[2] else { throw fail("the length of \(field)", values.count, "imageShape[2] = \(imageShape[2])") }
        }
        if let bad = normalization.mean.firstIndex(where: { !$0.isFinite }) { throw fail("normalization.mean[\(bad)]", normalization.mean[bad], "finite") }
        if let bad = normalization.std.firstIndex(where: { !($0 > 0 && $0.isFinite) }) { throw fail("normalization.std[\(bad)]", normalization.std[bad], "finite and > 0") }
        for (list, entries) in [("parameters", parameters), ("buffers", buffers)] {
            for (index, entry) in entries.enumerated() {
                var count = 1
                for (axis, extent) in entry.shape.enumerated() {
                    let (product, overflow) = count.multipliedReportingOverflow(by: extent)
                    guard extent >= 0, !overflow, product <= Self.maximumValues else {
                        throw fail("\(list)[\(index)].shape[\(axis)] (\(entry.path))", extent, "≥ 0 with at most \(Self.maximumValues) values in all")
                    }
                    count = product
                }
                guard (1 ... 32).contains(entry.bits) else { throw fail("\(list)[\(index)].bits (\(entry.path))", entry.bits, "in 1 … 32") }
                guard !entry.file.isEmpty, !entry.file.contains("/"), entry.file != "..", entry.file != "." else {
                    throw fail("\(list)[\(index)].file (\(entry.path))", "\"\(entry.file)\"", "a file name in the export folder")
                }
            }
        }
        guard !layers.isEmpty else { throw fail("layers", "[]", "the network's layer list") }
        let output = try ExportLayer.plan(layers, prefix: "", input: [1] + imageShape, file: path).output
        guard output == [1, classes] else { throw fail("the layers' output shape", output, "[N, classes] = [N, \(classes)]") }
        let implied = (parameters: layers.flatMap(\.parameterLayouts), buffers: layers.flatMap(\.bufferLayouts))
        for (list, entries, layouts) in [("parameters", parameters, implied.parameters), ("buffers", buffers, implied.buffers)] {
            guard entries.map(\.path) == layouts.map(\.path) else { throw fail("\(list)' paths", entries.map(\.path), "the layers' \(layouts.map(\.path))") }
            for (index, (entry, layout)) in zip(entries, layouts).enumerated() {
                guard entry.shape == layout.shape else { throw fail("\(list)[\(index)].shape (\(entry.path))", entry.shape, "\(layout.shape) as its layer implies") }
                guard entry.axes == layout.axes else { throw fail("\(list)[\(index)].axes (\(entry.path))", entry.axes, "\(layout.axes)") }
            }
        }
    }

    /// The memory summary of the exported network.
    public var summary: MemorySummary {
        let rows = parameters.map { e in
            let n = e.shape.reduce(1, *)
            return MemorySummary.Row(path: e.path, parameters: n, bits: e.bits, quantizedBytes: Double(n * e.bits) / 8, floatBytes: Double(n * 4))
        }
        return MemorySummary(rows: rows, statistics: buffers.reduce(0) { $0 + $1.shape.reduce(1, *) })
    }
}
