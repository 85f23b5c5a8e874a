import Foundation
import NeuralNet
import Quantization
import Simplex
import Testing

@Suite struct RunSpecTests {
    @Test func defaultsThenPresetRescaledToTheRunThenOverrides() throws {
        let preset = try Preset.named("mnist-lenet300-pmf")
        var overrides = RunSpec.Overrides()
        (overrides.epochs, overrides.seed) = (1, 4)
        // 1 epoch of 5 000 images at batch 100: 50 of the paper's 20 000 iterations.
        let spec = try RunSpec.resolve(preset: preset, overrides: overrides, trainingImages: 5_000)
        #expect(spec.method.description == "pmf[rho=1.2,every=1,cap=10000,jacobian=reference,init=independent]")
        #expect(spec.schedule == .step(every: 18, factor: 0.2) && spec.bn == .running && spec.logEvery == 100)
        #expect(spec.epochs == 1 && spec.seed == 4 && spec.arch == .lenet300 && spec.lr == 1e-3)
        let paperLength = try RunSpec.resolve(preset: preset, overrides: overrides)
        #expect(paperLength.method.description == "pmf[rho=1.2,every=100,cap=10000,jacobian=reference,init=independent]")
        try overrides.set(.method, to: "pmf[rho=1.1]")
        #expect(try RunSpec.resolve(preset: preset, overrides: overrides, trainingImages: 5_000).method == MethodSpec(parsing: "pmf[rho=1.1]"))
        #expect(try RunSpec.resolve(preset: nil, overrides: RunSpec.Overrides()) == RunSpec())
        // The evaluation protocol: an override of the preset's.
        try overrides.set(.bn, to: "reestimate")
        #expect(try RunSpec.resolve(preset: preset, overrides: overrides).bn == .reestimate(batches: 20))
        #expect(RunSpec().bn == .reestimate(batches: 20))
    }

    @Test(arguments: [("sometimes", "unknown BatchNorm evaluation 'sometimes'"), ("reestimate[batches=0]", "batches must be an integer ≥ 1"),
                      ("running[batches=3]", "has no setting 'batches'")])
    func badBatchNormEvaluationsAreClearErrors(_ text: String, _ fragment: String) {
        var overrides = RunSpec.Overrides()
        #expect(throwsMessage(containing: [fragment]) { try overrides.set(.bn, to: text) }?.hasPrefix("MISMATCH") == false)
    }

    @Test func outOfRangeValuesAndChangedResumedSettingsAreRefused() throws {
        var overrides = RunSpec.Overrides()
        overrides.batchSize = 1
        #expect(throwsMessage(containing: ["--batch-size ≥ 2"]) { _ = try RunSpec.resolve(preset: nil, overrides: overrides) }?.hasPrefix("MISMATCH") == false)
        overrides = RunSpec.Overrides()
        overrides.momentum = 1
        #expect(throwsMessage(containing: ["--momentum in [0, 1)"]) { _ = try RunSpec.resolve(preset: nil, overrides: overrides) }?.hasPrefix("MISMATCH") == false)
        for (key, text, fragment) in [(RunSpec.Key.arch, "lenet7", "--arch is 'lenet7'"), (.epochs, "two", "--epochs is 'two'"),
                                      (.levels, "k1", "--levels"), (.method, "pmf[rho=x]", "rho"), (.validate, "some", "quantized, both")] {
            #expect(throwsMessage(containing: [fragment]) { try overrides.set(key, to: text) }?.hasPrefix("MISMATCH") == false)
        }
    }

    /// Every method with every setting it takes, every level-set form and every option, through the
    /// three forms: text (`Overrides.set` of `text(of:)`), value, and JSON.
    static let methods = ["ref", "bc", "bc[clip=false]", "pq[reg=0.002,span=40,freeze=0.5]", "picm[init=independent]",
                          "pgd[beta0=2,rho=1.1,every=50,cap=100,init=tied]", "pmf[rho=1.05,jacobian=onesoftmax,tilde=false,init=independent]",
                          "pmf[jacobian=reference]", "md[rho=1.3,every=7]"]

    static func specs() throws -> [RunSpec] {
        var specs: [RunSpec] = []
        for (index, method) in methods.enumerated() {
            var spec = RunSpec()
            spec.method = try MethodSpec(parsing: method)
            spec.arch = Architecture.allCases[index % Architecture.allCases.count]
            spec.dataset = DatasetKind.allCases[index % DatasetKind.allCases.count]
            spec.levels = try QuantizationLevels(name: ["binary", "ternary", "k4", "-1,-0.5,0.5,1", "k5"][index % 5])
            spec.optimizer = index % 2 == 0 ? .adam : .sgd
            spec.schedule = [.constant, .step(every: 70, factor: 0.5), .multiStep(milestones: [10, 20], factor: 0.1),
                             .exponential(gamma: 0.99)][index % 4]
            spec.bn = index % 2 == 0 ? .running : .reestimate(batches: index + 1)
            spec.validate = index % 2 == 0 ? .quantized : .both
            (spec.lr, spec.momentum, spec.weightDecay) = (0.1 / Double(index + 1), 0.5, 1e-4 * Double(index))
            (spec.epochs, spec.batchSize, spec.seed, spec.logEvery) = (index + 1, 2 + index, UInt(index), 3 + index)
            (spec.limit, spec.data) = index % 3 == 0 ? (nil, nil) : (100 * index, "/data/\(index)")
            spec.floatLayers = index % 2 == 0 ? [] : ["1", "7.weight"]
            spec.convolution = index % 2 == 0 ? .winograd : .gemm
            specs.append(spec)
        }
        return specs
    }

    @Test func everySpecRoundTripsThroughTextAndJSON() throws {
        for spec in try Self.specs() {
            var overrides = RunSpec.Overrides()
            for key in RunSpec.Key.allCases {
                if let text = spec.text(of: key) { try overrides.set(key, to: text) }
            }
            #expect(try RunSpec().applying(overrides) == spec)
            let json = try JSONEncoder().encode(spec)
            #expect(try JSONDecoder().decode(RunSpec.self, from: json) == spec)
            #expect(spec.json.contains("\"method\":\"\(spec.method.description)\""))
        }
    }

    /// A spec written by an earlier build (keys as `RunSpec.Key`, values as written then) reads
    /// back as the same run; the level set takes its canonical name.
    @Test func aSettingsFileOfTheEarlierStringFormReadsBack() throws {
        let text = #"{"arch":"lenet300","batchSize":100,"bn":"running","dataset":"mnist","epochs":40,"floatLayers":[],"levels":"-2,-1,1,2","# +
            #""logEvery":100,"lr":0.001,"method":"pmf[rho=1.2,every=100,cap=10000,jacobian=reference,init=independent]","momentum":0.9,"# +
            #""optimizer":"adam","schedule":"step[every=7000,factor=0.2]","seed":1,"validate":"quantized","weightDecay":0}"#
        let spec = try JSONDecoder().decode(RunSpec.self, from: Data(text.utf8))
        #expect(spec.levels == (try QuantizationLevels.kLevel(4)) && spec.levels.name == "k4")
        #expect(spec.method == (try Preset.named("mnist-lenet300-pmf")).method && spec.schedule == .step(every: 7000, factor: 0.2))
        #expect(spec.convolution == .winograd, "a file from before the convolution setting reads as the default")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("runspec-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("config.json")
        try Data(text.replacingOccurrences(of: #""bn":"running""#, with: #""bn":"sometimes""#).utf8).write(to: file)
        #expect(throwsMessage(containing: [file.path, "'bn'", "unknown BatchNorm evaluation"]) { _ = try RunSpec(contentsOf: file) }?.hasPrefix("MISMATCH") == false)
        try Data(text.replacingOccurrences(of: #""seed":1,"#, with: "").utf8).write(to: file)
        #expect(throwsMessage(containing: [file.path, "lack 'seed'"]) { _ = try RunSpec(contentsOf: file) }?.hasPrefix("MISMATCH") == false)
    }

    /// The flags `pmf train` takes are the keys' flags (`Key.flag`), and back.
    @Test func keysAndFlagsAreOneList() {
        #expect(RunSpec.Key.batchSize.flag == "batch-size" && RunSpec.Key.weightDecay.flag == "weight-decay")
        for key in RunSpec.Key.allCases { #expect(RunSpec.Key(flag: key.flag) == key) }
        #expect(RunSpec.Key(flag: "batchSize") == nil)
    }

    @Test func levelSetsHaveCanonicalNames() throws {
        for (name, canonical) in [("binary", "binary"), ("-1,1", "binary"), ("k3", "ternary"), ("k4", "k4"), ("-2,-1,1,2", "k4"),
                                  ("-1,-0.5,0.5,1", "-1,-0.5,0.5,1"), ("0,1", "0,1")] {
            let levels = try QuantizationLevels(name: name)
            let back = try QuantizationLevels(name: levels.name)
            #expect(levels.name == canonical && back == levels)
        }
    }
}
