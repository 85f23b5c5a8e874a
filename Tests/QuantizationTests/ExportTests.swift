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
        (settings.epochs, settings.batchSize, settings.logEvery) = (2, 25, 10)
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
            let same = imported.forward(images, training: false).array == expected
            #expect(same)
            if model === lenet { #expect(NeuralNet.accuracy(of: imported, on: test) == result.testAccuracy) }
        }
    }
}

/// What the manifest says about a network, against the paper's LeNet-5 and ResNet-18 as written by hand.
@Suite struct ExportManifestTests {
    func export(_ architecture: Architecture, imageShape: [Int], statistics: [(mean: Double, deviation: Double)]) throws
        -> (manifest: ExportManifest, folder: URL) {
        let model = architecture.build(imageShape: imageShape, classes: 10)
        initialize(model, using: RandomSource(seed: 1))
        let folder = temporaryFolder("manifest-\(architecture.rawValue)")
        let written = try QuantizedExport.write(model: model, quantized: [], levels: .binary, arch: architecture.rawValue, dataset: "mnist",
                                                imageShape: imageShape, classes: 10, method: "ref", testAccuracy: 0.5,
                                                normalization: statistics, to: folder)
        let read = try QuantizedExport.manifest(in: folder)
        #expect(read == written)
        return (read, folder)
    }

    @Test func lenet5sLayersLayoutsAndNormalisationReadBack() throws {
        let (manifest, folder) = try export(.lenet5, imageShape: [28, 28, 1], statistics: [(0.2860, 0.3530)])
        #expect(manifest.version == 2 && manifest.imageLayout == "NHWC")
        #expect(manifest.normalization.mean == [0.2860] && manifest.normalization.std == [0.3530])
        #expect(manifest.layers.map(\.type.rawValue) == ["conv2d", "batchnorm", "relu", "maxpool2d", "conv2d", "batchnorm", "relu",
                                                         "maxpool2d", "flatten", "linear", "batchnorm", "relu", "linear"])
        #expect(manifest.layers.map(\.path) == (0 ..< 13).map(String.init))
        let conv = manifest.layers[4]
        #expect([conv.inChannels, conv.outChannels, conv.kernel, conv.stride, conv.padding] == [20, 50, 5, 1, 0] && conv.bias == true)
        #expect(conv.parameters == ["4.weight", "4.bias"])
        let norm = manifest.layers[1]
        #expect(norm.features == 20 && norm.epsilon == 1e-5 && norm.momentum == 0.1 && norm.affine == false)
        #expect(norm.parameters.isEmpty && norm.buffers == ["1.running_mean", "1.running_var"])
        #expect(manifest.layers[3].kernel == 2 && manifest.layers[3].stride == 2)
        #expect(manifest.layers[9].inFeatures == 800 && manifest.layers[9].outFeatures == 500 && manifest.layers[9].bias == true)
        #expect(manifest.parameters.map(\.path) == ["0.weight", "0.bias", "4.weight", "4.bias", "9.weight", "9.bias", "12.weight", "12.bias"])
        #expect(manifest.parameters[2].shape == [50, 5, 5, 20] && manifest.parameters[2].axes == ["out", "kernelHeight", "kernelWidth", "in"])
        #expect(manifest.parameters[4].shape == [500, 800] && manifest.parameters[4].axes == ["out", "in"])
        #expect(manifest.parameters[5].axes == ["out"] && manifest.parameters.allSatisfy { $0.bits == 32 && $0.levels == nil })
        #expect(manifest.buffers.map(\.file) == ["1.running_mean.npy", "1.running_var.npy", "5.running_mean.npy", "5.running_var.npy",
                                                 "10.running_mean.npy", "10.running_var.npy"])
        let variance = try NPY.decode(try Data(contentsOf: folder.appendingPathComponent("5.running_var.npy")))
        #expect(variance.shape == [50] && variance.values == Array(repeating: 1, count: 50))
        let text = try String(contentsOf: folder.appendingPathComponent("manifest.json"), encoding: .utf8)
        #expect(text.contains("\"epsilon\" : 1e-05") && text.contains("\"momentum\" : 0.1"))
    }

    @Test func resnet18sBlocksNameTheirBranches() throws {
        let (manifest, _) = try export(.resnet18, imageShape: [32, 32, 3], statistics: [(0.49, 0.25), (0.48, 0.24), (0.45, 0.26)])
        #expect(manifest.normalization.std == [0.25, 0.24, 0.26])
        let identity = manifest.layers[3], projection = manifest.layers[7]
        #expect(identity.type == .residual && identity.shortcut == nil && identity.parameters.isEmpty)
        #expect(identity.body?.map(\.path) == ["3.body.0", "3.body.1", "3.body.2", "3.body.3", "3.body.4"])
        #expect(projection.body?.first?.stride == 2 && projection.body?.first?.inChannels == 64 && projection.body?.first?.outChannels == 128)
        let shortcut = try #require(projection.shortcut)
        #expect(shortcut.map(\.type) == [.conv2d, .batchnorm] && shortcut[0].kernel == 1 && shortcut[0].stride == 2 && shortcut[0].bias == false)
        #expect(shortcut[0].parameters == ["7.shortcut.0.weight"] && shortcut[1].buffers == ["7.shortcut.1.running_mean", "7.shortcut.1.running_var"])
        #expect(manifest.layers.suffix(3).map(\.type) == [.avgpool2d, .flatten, .linear] && manifest.layers[19].kernel == 4)
        #expect(manifest.parameters.count == 22 && manifest.buffers.count == 2 * 20)
    }

    /// A valid export of the every-layer network, whose manifest the cases below damage.
    func damaged(_ edit: (inout [String: Any]) -> Void = { _ in }, text: (String) -> String = { $0 }) throws -> URL {
        let folder = temporaryFolder("damaged")
        try QuantizedExport.write(model: ExportTests().everyLayerNetwork(seed: 1), quantized: [], levels: .binary, arch: "test",
                                  dataset: "mnist", imageShape: [8, 8, 1], classes: 10, method: "ref", testAccuracy: 0.5,
                                  normalization: [(0.35, 0.3)], to: folder)
        let url = folder.appendingPathComponent("manifest.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        edit(&json)
        let pretty = String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
        try Data(text(pretty).utf8).write(to: url)
        return folder
    }

    /// `text` with the first `old` replaced by `new` (failing the test when there is none).
    func first(_ old: String, _ new: String) -> (String) -> String {
        { text in
            guard let range = text.range(of: old) else { Issue.record("no \(old) in the manifest"); return text }
            return text.replacingCharacters(in: range, with: new)
        }
    }

    @Test func badManifestsAreOneLineErrorsNamingTheField() throws {
        func read(_ folder: URL) throws { _ = try QuantizedExport.read(from: folder) }
        try read(try damaged())
        expectError(["manifest.json", "version is 1", "reads version 2"]) { try read(try damaged { $0["version"] = 1 }) }
        expectError(["manifest.json", "format is \"other\""]) { try read(try damaged { $0["format"] = "other" }) }
        expectError(["manifest.json", "normalization is missing"]) { try read(try damaged { $0["normalization"] = nil }) }
        expectError(["manifest.json", "normalization.std[0] is 0"]) { try read(try damaged { $0["normalization"] = ["mean": [0.3], "std": [0], "rule": ""] }) }
        expectError(["manifest.json", "normalization.mean", "2"]) { try read(try damaged { $0["normalization"] = ["mean": [0.3, 1], "std": [1], "rule": ""] }) }
        expectError(["manifest.json", "imageLayout is \"NCHW\""]) { try read(try damaged { $0["imageLayout"] = "NCHW" }) }
        expectError(["manifest.json", "classes is 0"]) { try read(try damaged { $0["classes"] = 0 }) }
        expectError(["manifest.json", "output shape", "[1, 10]", "11"]) { try read(try damaged { $0["classes"] = 11 }) }
        expectError(["manifest.json", "imageShape[0] is -28"]) { try read(try damaged { $0["imageShape"] = [-28, 8, 1] }) }
        func parameter(_ key: String, _ value: Any) -> (inout [String: Any]) -> Void {
            { json in
                var entries = json["parameters"] as? [[String: Any]] ?? []
                entries[0][key] = value
                json["parameters"] = entries
            }
        }
        expectError(["manifest.json", "parameters[0].shape[1] (0.weight)", "9223372036854775807"]) { try read(try damaged(parameter("shape", [2, Int.max]))) }
        expectError(["manifest.json", "parameters[0].shape (0.weight) is [4, 3, 3, 2]"]) { try read(try damaged(parameter("shape", [4, 3, 3, 2]))) }
        expectError(["manifest.json", "parameters[0].bits (0.weight) is 64"]) { try read(try damaged(parameter("bits", 64))) }
        expectError(["manifest.json", "parameters[0].axes (0.weight)", "in"]) { try read(try damaged(parameter("axes", ["in", "kernelHeight", "kernelWidth", "out"]))) }
        expectError(["manifest.json", "parameters[0].file (0.weight) is \"../0.weight.npy\""]) { try read(try damaged(parameter("file", "../0.weight.npy"))) }
        expectError(["manifest.json", "parameters' paths"]) { try read(try damaged(parameter("path", "0.kernel"))) }
        expectError(["manifest.json", "layers[0].type", "malformed"]) { try read(try damaged(text: first("\"conv2d\"", "\"dense\""))) }
        expectError(["manifest.json", "layer 0", "kernel is 0", "1 …"]) { try read(try damaged(text: first("\"kernel\" : 3", "\"kernel\" : 0"))) }
        expectError(["manifest.json", "layer 0 (conv2d) has no outChannels"]) { try read(try damaged(text: first("\"outChannels\" : 4,", ""))) }
        expectError(["manifest.json", "layer 0", "path is \"7\"", "\"0\""]) { try read(try damaged(text: first("\"path\" : \"0\"", "\"path\" : \"7\""))) }
        expectError(["manifest.json", "layer 4: the body gives shape [1, 7, 7, 6] but the shortcut [1, 4, 4, 6]"]) {
            try read(try damaged(text: first("\"stride\" : 2", "\"stride\" : 1")))
        }
        expectError(["manifest.json", "layer 8 (linear) gets input of shape [1, 24]", "[N, 25]"]) { try read(try damaged(text: first("\"inFeatures\" : 24", "\"inFeatures\" : 25"))) }
        expectError(["manifest.json", "layer 1", "epsilon is -1"]) { try read(try damaged(text: first("\"epsilon\" : 1e-05", "\"epsilon\" : -1"))) }
        // The arrays: a file of another shape, a missing file.
        let folder = try damaged()
        try NPY.encode([1, 2], shape: [2]).write(to: folder.appendingPathComponent("1.running_var.npy"))
        expectError(["1.running_var.npy", "shape [2]", "[4]"]) { try read(folder) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("0.weight.npy"))
        expectError(["0.weight.npy", "missing"]) { try read(folder) }
    }

    /// Settings the manifest would refuse are refused before anything is written.
    @Test func anInvalidExportWritesNothing() throws {
        let folder = temporaryFolder("refused")
        expectError(["normalization.mean", "2", "imageShape[2] = 1"]) {
            try QuantizedExport.write(model: ExportTests().everyLayerNetwork(seed: 1), quantized: [], levels: .binary, arch: "test",
                                      dataset: "mnist", imageShape: [8, 8, 1], classes: 10, method: "ref", testAccuracy: 0.5,
                                      normalization: [(0.35, 0.3), (0.35, 0.3)], to: folder)
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }
}

/// `pmf eval --logits` and `pmf layers`, as a user runs them.
@Suite struct ExportCommandTests {
    @Test func evalWritesLogitsAndFollowsTheManifest() throws {
        let pmf = try pmfExecutable()
        let data = try writeIDXFolder(train: 600, test: 300)
        let export = temporaryFolder("cli-logits")
        let trained = try runProcess(pmf, ["train", "--dataset", "mnist", "--data", data.path, "--arch", "lenet300", "--method", "bc",
                                           "--epochs", "1", "--batch-size", "25", "--log-every", "10", "--export", export.path])
        #expect(trained.status == 0, "\(trained.error)")
        struct Report: Decodable { let test_accuracy: Double; let reproduced: Bool }
        func evaluate(_ logits: URL) throws -> (report: Report, logits: (shape: [Int], values: [Float])) {
            let run = try runProcess(pmf, ["eval", "--export", export.path, "--data", data.path, "--logits", logits.path, "--json"])
            #expect(run.status == 0, "\(run.error)")
            return (try JSONDecoder().decode(Report.self, from: Data(run.output.utf8)), try NPY.decode(try Data(contentsOf: logits)))
        }
        let first = try evaluate(temporaryFolder("logits"))
        #expect(first.report.reproduced && first.logits.shape == [300, 10])
        // The accuracy of the written logits (first largest per row) against the test file's labels.
        let labels = syntheticImages(300, seed: 12).labels
        let correct = labels.indices.filter { row in
            let scores = first.logits.values[row * 10 ..< row * 10 + 10]
            return scores.firstIndex(of: scores.max()!)! - row * 10 == Int(labels[row])
        }.count
        #expect(Double(correct) / 300 == first.report.test_accuracy)
        // pmf eval normalises with the manifest's statistics, not those of the folder it reads.
        let url = export.appendingPathComponent("manifest.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let normalization = try #require(json["normalization"] as? [String: Any])
        json["normalization"] = normalization.merging(["mean": [0.9]]) { $1 }
        try JSONSerialization.data(withJSONObject: json).write(to: url)
        let shifted = try evaluate(temporaryFolder("logits"))
        let unchanged = shifted.logits.values == first.logits.values
        #expect(!unchanged)
        // The layer list pmf layers prints for the architecture is the export's.
        let layers = temporaryFolder("layers.json")
        let listed = try runProcess(pmf, ["layers", "--arch", "lenet300", "--image-shape", "8,8,1", "--out", layers.path])
        #expect(listed.status == 0, "\(listed.error)")
        struct Listing: Decodable { let layers: [ExportLayer]; let imageShape: [Int]; let classes: Int }
        let listing = try JSONDecoder().decode(Listing.self, from: Data(contentsOf: layers))
        #expect(listing.layers == (try QuantizedExport.manifest(in: export)).layers && listing.imageShape == [8, 8, 1] && listing.classes == 10)
        let small = try runProcess(pmf, ["layers", "--arch", "lenet5", "--image-shape", "8,8,1"])
        #expect(small.status != 0 && small.error.contains("at least 16×16"), "\(small.error)")
        // A manifest of the first version is refused in one line.
        json["version"] = 1
        try JSONSerialization.data(withJSONObject: json).write(to: url)
        let old = try runProcess(pmf, ["eval", "--export", export.path, "--data", data.path])
        #expect(old.status != 0 && old.error.contains("version is 1") && old.error.split(separator: "\n").count == 1, "\(old.error)")
    }
}
