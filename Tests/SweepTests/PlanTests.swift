import Foundation
import Quantization
import Testing
@testable import Sweep

/// A fresh temporary folder for one test.
func temporaryFolder() throws -> String {
    let path = NSTemporaryDirectory() + "sweep-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func write(_ text: String, to path: String) throws {
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}

/// A finished run's report with `testAccuracy`, as `pmf train --out FOLDER` writes it.
func report(testAccuracy: Double) -> RunReport {
    RunReport(arch: "lenet300", method: "ref", levels: [-1, 1], dataset: "fashion-mnist", seed: 1, epochs: 1, testAccuracy: testAccuracy,
              testAccuracyFractional: testAccuracy, bestValidationAccuracy: 0.5, bestEpoch: 1, bestIteration: 10, seconds: 1,
              samplesPerSecond: 100, trainSize: 600, validationSize: 100, testSize: 100, resumedFromIteration: nil,
              compressionRatio: nil, version: "test")
}

/// Writes `report(testAccuracy:)` into the run folder `folder`.
func writeReport(testAccuracy: Double, to folder: String) throws {
    try report(testAccuracy: testAccuracy).write(to: URL(fileURLWithPath: folder, isDirectory: true))
}

let paperSweep = """
    base: {dataset: fashion-mnist}
    fixed:
      epochs: 1
      limit: 600
    axes:
      arch: [lenet300]
      method: [ref, bc, pmf]
      rho: [1.02, 1.05, 1.2]
      seed: [1, 2, 3]
    """

@Suite struct PlanTests {
    @Test func expansionComposesMethodSpecsAndDropsParametersAMethodDoesNotTake() throws {
        let sweep = try SweepFile(text: paperSweep)
        let runs = try sweep.expand(baseFolder: "/s")
        // ref and bc take no rho: 3 seeds each; pmf: 3 rhos × 3 seeds.
        #expect(runs.count == 3 + 3 + 9)
        #expect(runs.map(\.id).prefix(4) == ["lenet300-ref-s1", "lenet300-ref-s2", "lenet300-ref-s3", "lenet300-bc-s1"])
        let run = try #require(runs.first { $0.id == "lenet300-pmf-rho1.05-s2" })
        var overrides = RunSpec.Overrides()
        (overrides.arch, overrides.dataset, overrides.method) = (.lenet300, .fashionMNIST, try MethodSpec(parsing: "pmf[rho=1.05]"))
        (overrides.limit, overrides.epochs, overrides.seed) = (600, 1, 2)
        #expect(run.spec == (try RunSpec.resolve(preset: nil, overrides: overrides)) && run.checkpointEvery == nil)
        #expect(run.settings == [.init("arch", "lenet300"), .init("method", "pmf"), .init("rho", "1.05"), .init("seed", "2")])
        #expect(Set(runs.map(\.id)).count == runs.count)
    }

    /// The planner's keys are the parser's: every setting some method takes, `bc`'s `clip` included.
    @Test func methodParametersAreTheSettingsTheMethodsTake() throws {
        #expect(Set(TrainKeys.methodParameters) == Set(MethodKind.allCases.flatMap(\.settingKeys)))
        #expect(TrainKeys.methodParameters.count == Set(TrainKeys.methodParameters).count)
        #expect(TrainKeys.parametersByMethod["bc"] == ["clip"])
    }

    @Test func idsFollowAFixedKeyOrderWhateverTheFileOrder() throws {
        let a = try SweepFile(text: "axes: {seed: [2], rho: [1.05], method: [pmf], arch: [lenet300]}")
        let b = try SweepFile(text: "axes: {arch: [lenet300], method: [pmf], rho: [1.05], seed: [2]}")
        #expect(try a.expand(baseFolder: "/").map(\.id) == ["lenet300-pmf-rho1.05-s2"])
        #expect(try b.expand(baseFolder: "/").map(\.id) == ["lenet300-pmf-rho1.05-s2"])
        #expect(SweepFile.runID([.init("lr", "1e-3"), .init("batch-size", "50"), .init("method", "pmf[eta=0.5,beta=1]")]) == "pmf-eta0.5-beta1-bs50-lr1e-3")
    }

    @Test func presetBaseAndMethodParametersInsideTheMethodText() throws {
        let sweep = try SweepFile(text: "base: mnist-lenet300-pmf\naxes:\n  method: ['pmf[every=100]']\n  rho: [1.2]\n")
        let run = try #require(try sweep.expand(baseFolder: "/").first)
        // The preset resolved and rescaled as pmf train --preset would (to MNIST's 50 000 images when
        // they are not at hand: the same length as the paper's), with the composed method.
        var overrides = RunSpec.Overrides()
        overrides.method = try MethodSpec(parsing: "pmf[every=100,rho=1.2]")
        let preset = try Preset.named("mnist-lenet300-pmf")
        #expect(run.spec == (try RunSpec.resolve(preset: preset, overrides: overrides, trainingImages: RunData.trainingImages(of: run.spec))))
        // The given method replaces the preset's whole (as with pmf train --preset … --method …).
        #expect(run.spec.method.description == "pmf[rho=1.2,every=100,cap=10000,jacobian=exact,init=tied]" && run.spec.epochs == 40)
    }

    @Test func overridesReplaceAnAxisOrSetAFixedOption() throws {
        let sweep = try SweepFile(text: paperSweep).overriding(["seed=7", "epochs=3", "batch_size=20", "data=rel/cifar"])
        #expect(sweep.axes.first { $0.key == "seed" }?.values == ["7"])
        #expect(sweep.fixed.map(\.key) == ["limit", "epochs", "batch-size", "data"] && sweep.fixed[1].value == "3")
        #expect(sweep.fixed[3].value == FileManager.default.currentDirectoryPath + "/rel/cifar")
        #expect(try sweep.expand(baseFolder: "/").count == 1 + 1 + 3)
        for (bad, fragment) in [("epochs", "KEY=VALUE"), ("color=red", "unknown key 'color'"), ("epochs=-1", "--epochs"), ("method=pmf[rho=x]", "rho"), ("rho=abc", "finite number")] {
            #expect(throws: SweepError.self) { _ = try SweepFile(text: paperSweep).overriding([bad]) }
            do { _ = try SweepFile(text: paperSweep).overriding([bad]) } catch { #expect("\(error)".contains(fragment) && "\(error)".contains("--set")) }
        }
    }

    @Test func relativeDataFoldersAreResolvedAgainstTheSweepFile() throws {
        let sweep = try SweepFile(text: "fixed: {data: ../data}\naxes: {seed: [1]}")
        let run = try #require(try sweep.expand(baseFolder: "/x/sweeps").first)
        #expect(run.spec.data == "/x/data")
    }

    @Test func jsonSweepFilesGiveTheSameRunsAsYAML() throws {
        let json = """
            {"base": {"dataset": "fashion-mnist"}, "fixed": {"epochs": 1, "limit": 600},
             "axes": {"arch": ["lenet300"], "method": ["ref", "bc", "pmf"], "rho": [1.02, 1.05, 1.2], "seed": [1, 2, 3]}}
            """
        let fromJSON = try SweepFile(text: json, json: true).expand(baseFolder: "/")
        let fromYAML = try SweepFile(text: paperSweep).expand(baseFolder: "/")
        #expect(fromJSON == fromYAML)
    }

    @Test func replanningIsIdempotentAndNeverTouchesFinishedRuns() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/sweep.yaml", out = folder + "/out"
        try write(paperSweep, to: file)
        let (plan, first) = try planSweep(file: file, into: out)
        #expect(first.added.count == 15 && first.total == 15)
        let planBytes = try Data(contentsOf: URL(fileURLWithPath: out + "/plan.json"))

        // Finish one run by hand and note its files' dates.
        let finished = out + "/runs/lenet300-pmf-rho1.05-s2"
        try writeReport(testAccuracy: 0.9, to: finished)
        let commandPath = finished + "/config.json"
        let before = try FileManager.default.attributesOfItem(atPath: commandPath)[.modificationDate] as? Date
        let commandBytes = try Data(contentsOf: URL(fileURLWithPath: commandPath))

        let (again, second) = try planSweep(file: file, into: out)
        #expect(again == plan)
        #expect(second.added.isEmpty && second.updated.isEmpty && second.removed.isEmpty && second.unchanged.count == 15)
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/plan.json")) == planBytes)

        // Change the file: more epochs (every command changes), one seed fewer, a new rho.
        try write(paperSweep.replacingOccurrences(of: "epochs: 1", with: "epochs: 2")
            .replacingOccurrences(of: "[1, 2, 3]", with: "[1, 2]")
            .replacingOccurrences(of: "1.2]", with: "1.2, 1.5]"), to: file)
        let (_, third) = try planSweep(file: file, into: out)
        #expect(third.staleFinished == ["lenet300-pmf-rho1.05-s2"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: commandPath)) == commandBytes)
        #expect(try FileManager.default.attributesOfItem(atPath: commandPath)[.modificationDate] as? Date == before)
        #expect(third.added == ["lenet300-pmf-rho1.5-s1", "lenet300-pmf-rho1.5-s2"])
        #expect(third.removed == ["lenet300-bc-s3", "lenet300-pmf-rho1.02-s3", "lenet300-pmf-rho1.05-s3", "lenet300-pmf-rho1.2-s3", "lenet300-ref-s3"])
        #expect(FileManager.default.fileExists(atPath: out + "/runs/lenet300-ref-s3/config.json"))   // reported, not deleted
        #expect(third.updated.count == 2 + 2 + 3 * 2 - 1)
    }
}

@Suite struct StatusTests {
    @Test func statusIsReadOffTheRunFolder() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(RunFiles.status(of: folder) == .pending)
        try write("{\"exit_status\":1}", to: folder + "/failed.json")
        #expect(RunFiles.status(of: folder) == .failed)
        // A running marker of a live process on this host (this test) is running; a dead pid is not.
        try write("{\"host\":\"\(shortHostName())\",\"pid\":\(getpid())}", to: folder + "/running.json")
        #expect(RunFiles.status(of: folder) == .running)
        try write("{\"host\":\"\(shortHostName())\",\"pid\":2147483000}", to: folder + "/running.json")
        #expect(RunFiles.status(of: folder) == .failed)
        try write("{}", to: folder + "/results.json")   // not a report: not finished
        #expect(RunFiles.status(of: folder) == .failed)
        try writeReport(testAccuracy: 0.5, to: folder)
        #expect(RunFiles.status(of: folder) == .finished)
    }

    @Test func aRunTrainsItsSpecAndResumesOnlyWithACheckpoint() throws {
        let sweep = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: sweep) }
        let run = PlannedRun(id: "s1", settings: [], spec: RunSpec(), checkpointEvery: 50)
        let folder = RunFiles.folder(of: run.id, inSweep: sweep).path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        #expect(RunFiles.launchArguments(for: run, binary: "/bin/pmf", sweep: sweep)
            == ["/bin/pmf", "train", "--run", folder + "/config.json", "--out", folder, "--checkpoint-every", "50"])
        try write("x", to: folder + "/checkpoint.bin")
        #expect(RunFiles.launchArguments(for: run, binary: "/bin/pmf", sweep: sweep)
            == ["/bin/pmf", "train", "--run", folder + "/config.json", "--out", folder, "--resume", folder, "--checkpoint-every", "50"])
    }

    @Test func logTailKeepsTheLastLinesAndTheLastProgressRedraw() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try write("a\nb\nbar 1\rbar 2\rbar 3\nc\nd\ne\npmf: error: boom\n", to: folder + "/log.txt")
        #expect(RunFiles.logTail(of: folder) == ["bar 3", "c", "d", "e", "pmf: error: boom"])
    }
}
