import Foundation
import Quantization
import Testing

@Suite struct RunConfigTests {
    @Test func defaultsThenPresetRescaledToTheRunThenOverrides() throws {
        let preset = try Preset.named("mnist-lenet300-pmf")
        var overrides = RunConfig.Overrides()
        (overrides.epochs, overrides.seed) = (1, 4)
        // 1 epoch of 5 000 images at batch 100: 50 of the paper's 20 000 iterations.
        let config = try RunConfig.resolve(preset: preset, overrides: overrides, trainingImages: 5_000)
        #expect(config.method == "pmf[rho=1.2,every=1,cap=10000,jacobian=reference,init=independent]" && config.schedule == "step[every=18,factor=0.2]")
        #expect(config.bn == "running" && config.logEvery == 100)
        #expect(config.epochs == 1 && config.seed == 4 && config.arch == "lenet300" && config.lr == 1e-3)
        let paperLength = try RunConfig.resolve(preset: preset, overrides: overrides)
        #expect(paperLength.method == "pmf[rho=1.2,every=100,cap=10000,jacobian=reference,init=independent]")
        overrides.method = "pmf[rho=1.1]"
        #expect(try RunConfig.resolve(preset: preset, overrides: overrides, trainingImages: 5_000).method
                == MethodSpec(parsing: "pmf[rho=1.1]").description)
        #expect(try RunConfig.resolve(preset: nil, overrides: RunConfig.Overrides()) == RunConfig())
        // The evaluation protocol: canonical text, an override of the preset's.
        overrides.bn = "reestimate"
        #expect(try RunConfig.resolve(preset: preset, overrides: overrides).bn == "reestimate[batches=20]")
        #expect(RunConfig().bn == "reestimate[batches=20]")
    }

    @Test(arguments: [("sometimes", "unknown BatchNorm evaluation 'sometimes'"), ("reestimate[batches=0]", "batches must be an integer ≥ 1"),
                      ("running[batches=3]", "has no setting 'batches'")])
    func badBatchNormEvaluationsAreClearErrors(_ text: String, _ fragment: String) {
        var overrides = RunConfig.Overrides()
        overrides.bn = text
        #expect(throwsMessage(containing: [fragment]) { _ = try RunConfig.resolve(preset: nil, overrides: overrides) }?.hasPrefix("MISMATCH") == false)
    }

    @Test func outOfRangeValuesAndChangedResumedSettingsAreRefused() throws {
        var overrides = RunConfig.Overrides()
        overrides.batchSize = 1
        #expect(throwsMessage(containing: ["--batch-size ≥ 2"]) { _ = try RunConfig.resolve(preset: nil, overrides: overrides) }?.hasPrefix("MISMATCH") == false)
        overrides = RunConfig.Overrides()
        overrides.momentum = 1
        #expect(throwsMessage(containing: ["--momentum in [0, 1)"]) { _ = try RunConfig.resolve(preset: nil, overrides: overrides) }?.hasPrefix("MISMATCH") == false)
    }
}
