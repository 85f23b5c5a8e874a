import Foundation
import NeuralNet
import Quantization
import Simplex
import Testing

/// The exported network (issue #24): the manifest describes the layers, layouts and input
/// normalisation; an export read back and exported again gives the same bytes; bad manifests are
/// one-line errors naming the file, the field and the value.
@Suite struct ExportTests {
    let train = syntheticDataset(600, seed: 1), validation = syntheticDataset(150, seed: 2), test = syntheticDataset(200, seed: 3)
    /// The statistics `syntheticDataset` standardises with.
    let statistics = [(mean: 0.35, deviation: 0.3)]

    /// Every file of an export folder, by name.
    func files(in folder: URL) throws -> [String: Data] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        return Dictionary(uniqueKeysWithValues: try names.map { ($0, try Data(contentsOf: folder.appendingPathComponent($0))) })
    }

    /// A small network with every layer type the manifest describes: a strided convolution in a
    /// residual block with a projection shortcut, affine and plain BatchNorm, both pools, a Linear
    /// without bias; random weights and running statistics.
    func everyLayerNetwork(seed: UInt) -> Sequential {
        let model = Sequential([
            Conv2d(1, 4, kernel: 3, padding: 1), BatchNorm(4, affine: false), ReLU(), MaxPool2d(2, stride: 1),
            Residual(Sequential([Conv2d(4, 6, kernel: 3, stride: 2, padding: 1, bias: false), BatchNorm(6), ReLU()]),
                     shortcut: Sequential([Conv2d(4, 6, kernel: 1, stride: 2, bias: false), BatchNorm(6, epsilon: 1e-3, momentum: 0.2)])),
            Residual(Sequential([Conv2d(6, 6, kernel: 3, padding: 1), ReLU()])),
            AvgPool2d(2), Flatten(), Linear(24, 12, bias: false), ReLU(), Linear(12, 10)])
        let random = RandomSource(seed: seed)
        initialize(model, using: random)
        for norm in leafLayers(model).compactMap({ $0 as? BatchNorm }) {
            norm.setRunningStatistics(mean: (0 ..< norm.features).map { _ in Float(random.gaussian()) },
                                      variance: (0 ..< norm.features).map { _ in Float(random.uniform(0.5, 2)) })
            for parameter in norm.parameters { parameter.value.assign((0 ..< norm.features).map { _ in Float(random.gaussian()) }) }
        }
        return model
    }

    /// ũ → export → import → export: a PMF-trained LeNet-300 (quantized, 2-bit levels) and the
    /// every-layer network (float) give the same bytes in every file; the imported networks
    /// compute what the originals do, bit for bit, and LeNet-300 has the accuracy of training.
    @Test func anExportReadBackExportsTheSameBytes() throws {
        let random = RandomSource(seed: 4)
        let lenet = Architecture.lenet300.build(imageShape: [8, 8, 1], classes: 10)
        initialize(lenet, using: random)
        var settings = TrainingSettings()
        (settings.epochs, settings.batchSize, settings.logEvery, settings.seed) = (2, 25, 10, 4)
        let levels = try QuantizationLevels.kLevel(4)
        let trainer = Trainer(model: lenet, method: try MethodSpec(parsing: "pmf[rho=1.3,every=10]").makeMethod(for: lenet, levels: levels),
                              settings: settings, random: random)
        let result = try trainer.run(train: train, validation: validation, test: test)
        let cases: [(model: Sequential, quantized: Set<String>, levels: QuantizationLevels, accuracy: Double)] = [
            (lenet, Set(try ParameterSplit(lenet).quantized.map(\.name)), levels, result.testAccuracy),
            (everyLayerNetwork(seed: 5), [], .binary, 0.25)]
        for (model, quantized, levels, accuracy) in cases {
            let first = temporaryFolder("export-first"), second = temporaryFolder("export-second")
            let written = try QuantizedExport.write(model: model, quantized: quantized, levels: levels, arch: "test", dataset: "mnist",
                                                    imageShape: [8, 8, 1], classes: 10, method: "pmf", testAccuracy: accuracy,
                                                    normalization: statistics, to: first)
            #expect(written.parameters.filter { $0.levels != nil }.count == quantized.count)
            let (manifest, imported) = try QuantizedExport.read(from: first)
            #expect(manifest == written)
            try QuantizedExport.write(model: imported, quantized: Set(manifest.parameters.filter { $0.levels != nil }.map(\.path)),
                                      levels: try QuantizationLevels(manifest.levels), arch: manifest.arch, dataset: manifest.dataset,
                                      imageShape: manifest.imageShape, classes: manifest.classes, method: manifest.method,
                                      testAccuracy: manifest.testAccuracyQuantized,
                                      normalization: zip(manifest.normalization.mean, manifest.normalization.std).map { ($0, $1) }, to: second)
            let before = try files(in: first), after = try files(in: second)
            #expect(before.keys.sorted() == after.keys.sorted())
            #expect(before.count == manifest.parameters.count + manifest.buffers.count + 2)
            for (name, bytes) in before { #expect(after[name] == bytes, "\(name) differs") }
            let images = Tensor(shape: [test.count, 8, 8, 1], values: test.images)
            let expected = model.forward(images, training: false).array
            #expect(imported.forward(images, training: false).array == expected)
            if model === lenet { #expect(NeuralNet.accuracy(of: imported, on: test) == result.testAccuracy) }
        }
    }
}
