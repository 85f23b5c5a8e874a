import Foundation
import NeuralNet
import Simplex
import Support

/// Bits to store one of d levels.
func bits(levels d: Int) -> Int { max(1, Int(ceil(log2(Double(d))))) }

/// Writes and reads exported networks: one `.npy` per parameter (the hard level values, or the
/// float values of parameters kept in float) and per BatchNorm running statistic, each named by
/// its path (`1.weight.npy`, `2.running_var.npy`), `manifest.json` (`ExportManifest`) and
/// `summary.txt` with the memory summary (docs/export.md).
public enum QuantizedExport {
    /// Exports `model` as it is (call it with the quantized network in place); `quantized` names the
    /// parameters that hold level values; `normalization` is the per-channel (mean, deviation) the
    /// inputs were standardised with (`Dataset.normalization`). The arrays are written first and
    /// the manifest last, each file atomically.
    /// - Throws: `QuantizationError` for a quantized parameter off the level set, a layer the
    ///   manifest cannot describe or settings the manifest refuses; a file error.
    @discardableResult
    public static func write(model: any Layer, quantized: Set<String>, levels: QuantizationLevels, arch: String, dataset: String,
                             imageShape: [Int], classes: Int, method: String, testAccuracy: Double,
                             normalization: [(mean: Double, deviation: Double)], to directory: URL) throws -> ExportManifest {
        let layers = try ExportLayer.describe(model)
        let named = model.namedParameters(prefix: ""), layouts = layers.flatMap(\.parameterLayouts)
        guard named.map(\.name) == layouts.map(\.path) else {
            throw QuantizationError("export: the network's parameters \(named.map(\.name)) differ from its layers' \(layouts.map(\.path))")
        }
        let allowed = Set(levels.vector(Float.self))
        var arrays: [(file: String, values: [Float], shape: [Int])] = []
        var parameters: [ExportManifest.Entry] = []
        for ((name, parameter), layout) in zip(named, layouts) {
            let isQuantized = quantized.contains(name)
            guard !isQuantized || parameter.value.buffer.allSatisfy(allowed.contains) else {
                throw QuantizationError("export: parameter \(name) holds values outside the level set \(levels); export the quantized network")
            }
            arrays.append(("\(name).npy", parameter.value.array, parameter.value.shape))
            parameters.append(.init(path: name, shape: parameter.value.shape, axes: layout.axes, levels: isQuantized ? levels.values : nil,
                                    bits: isQuantized ? bits(levels: levels.count) : 32, file: "\(name).npy"))
        }
        let statistics = leafLayers(model).compactMap { $0 as? BatchNorm }.flatMap { [$0.runningMean, $0.runningVariance] }
        let buffers = zip(layers.flatMap(\.bufferLayouts), statistics).map { layout, values in
            arrays.append(("\(layout.path).npy", values, layout.shape))
            return ExportManifest.Entry(path: layout.path, shape: layout.shape, axes: layout.axes, levels: nil, bits: 32, file: "\(layout.path).npy")
        }
        let manifest = ExportManifest(arch: arch, dataset: dataset, imageShape: imageShape, classes: classes, method: method,
                                      levels: levels.values, testAccuracyQuantized: testAccuracy,
                                      normalization: .init(mean: normalization.map(\.mean), std: normalization.map(\.deviation)),
                                      layers: layers, parameters: parameters, buffers: buffers)
        try manifest.validate(path: directory.appendingPathComponent("manifest.json").path)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for array in arrays {
            try writeAtomically(NPY.encode(array.values, shape: array.shape), to: directory.appendingPathComponent(array.file))
        }
        try writeAtomically(jsonEncoder(.pretty).encode(manifest), to: directory.appendingPathComponent("manifest.json"))
        try writeAtomically(manifest.summary.text + "\n", to: directory.appendingPathComponent("summary.txt"))
        return manifest
    }

    /// Reads and checks `directory/manifest.json` (`ExportManifest.validate`).
    public static func manifest(in directory: URL) throws -> ExportManifest {
        let url = directory.appendingPathComponent("manifest.json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw QuantizationError("\(url.path): missing; pass the folder written by pmf train --export")
        }
        return try ExportManifest.decode(data, path: url.path)
    }

    /// Reads an export into the PMFKit network its layer list describes, with the exported
    /// parameters and running statistics in place (as `pmf eval` evaluates it). Every array is
    /// read and checked against its entry's shape before the network is built.
    public static func read(from directory: URL) throws -> (manifest: ExportManifest, model: Sequential) {
        let manifest = try manifest(in: directory)
        let make = try ExportLayer.plan(manifest.layers, prefix: "", input: [1] + manifest.imageShape,
                                        file: directory.appendingPathComponent("manifest.json").path).make
        func read(_ entry: ExportManifest.Entry) throws -> [Float] {
            let url = directory.appendingPathComponent(entry.file)
            guard let data = FileManager.default.contents(atPath: url.path) else { throw QuantizationError("\(url.path): missing") }
            let array = try NPY.decode(data, path: url.path)
            guard array.shape == entry.shape else { throw QuantizationError("\(url.path): shape \(array.shape), the manifest's \(entry.path) has \(entry.shape)") }
            return array.values
        }
        let parameters = try manifest.parameters.map(read), statistics = try manifest.buffers.map(read)
        let model = make()
        for ((_, parameter), values) in zip(model.namedParameters(prefix: ""), parameters) { parameter.value.assign(values) }
        for (index, norm) in leafLayers(model).compactMap({ $0 as? BatchNorm }).enumerated() {
            norm.setRunningStatistics(mean: statistics[2 * index], variance: statistics[2 * index + 1])
        }
        return (manifest, model)
    }
}
