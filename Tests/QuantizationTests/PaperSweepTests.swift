import Foundation
import Quantization
import Simplex
import Sweep
import Testing

/// The CIFAR sweep files shipped in `paper-figures/sweeps/`, planned as a user would and run end to
/// end on a CIFAR-format folder of synthetic images that the test writes.
@Suite(.serialized) struct PaperSweepTests {
    /// The repository's `paper-figures/sweeps` folder (this file is `Tests/QuantizationTests/…`).
    let sweeps = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("paper-figures/sweeps")

    /// A CIFAR-10 (`data_batch_1…5.bin`, `test_batch.bin`; 1 label byte) or CIFAR-100 (`train.bin`,
    /// `test.bin`; coarse and fine label bytes) folder of random 32×32 RGB records.
    func writeCIFAR(classes: Int, perFile: Int) throws -> URL {
        let folder = temporaryFolder("cifar\(classes)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var state: UInt32 = 12345
        func byte() -> UInt8 { state = state &* 1_664_525 &+ 1_013_904_223; return UInt8(state >> 24) }
        func records(_ n: Int) -> Data {
            Data((0 ..< n).flatMap { i -> [UInt8] in
                let label = UInt8(i % classes)
                return (classes == 100 ? [label / 5, label] : [label]) + (0 ..< 3072).map { _ in byte() }
            })
        }
        let names = classes == 10 ? (1 ... 5).map { "data_batch_\($0).bin" } + ["test_batch.bin"] : ["train.bin", "test.bin"]
        for name in names { try records(name.hasPrefix("data") || classes == 10 ? perFile : 5 * perFile).write(to: folder.appendingPathComponent(name)) }
        return folder
    }

    struct PlanReport: Decodable {
        struct Outcome: Decodable { let added: [String]; let total: Int }
        struct Estimate: Decodable { let runs: [String]; let iterations: Int; let seconds_per_iteration, seconds_per_run: Double }
        let plan: Outcome
        let estimates: [Estimate]
    }

    @Test func everyRunOfTheCIFARSweepsIsItsSuppTable4Preset() throws {
        let pmf = try pmfExecutable()
        for (file, dataset, count) in [("cifar10", "cifar10", 36), ("cifar100", "cifar100", 36), ("cifar10-2bit", "cifar10", 6)] {
            let out = temporaryFolder("plan-\(file)")
            let planned = try runProcess(pmf, ["sweep", "plan", sweeps.appendingPathComponent("\(file).yaml").path, "--out", out.path,
                                               "--set", "data=/scratch/\(dataset)", "--no-estimate", "--json"])
            #expect(planned.status == 0, "\(planned.error)")
            let report = try JSONDecoder().decode(PlanReport.self, from: Data(planned.output.utf8))
            #expect(report.plan.total == count && report.estimates.isEmpty)
            let presets = Set(report.plan.added.map { String($0.dropLast(3)) })
            let methods = file.hasSuffix("2bit") ? ["pmf"] : ["ref", "bc", "pq", "picm", "pgd", "pmf"]
            #expect(presets == Set(["vgg16", "resnet18"].flatMap { arch in methods.map { "\(dataset)-\(arch)-\($0)" } }))
            // Each run's spec is its preset at the paper's length (the standard 45 000 training
            // images, as the data are not here), with the sweep's data folder, trace interval, levels and seed.
            let plan = try SweepPlan(folder: out.path)
            for id in report.plan.added {
                let spec = try RunSpec(contentsOf: out.appendingPathComponent("runs/\(id)/config.json"))
                var overrides = RunSpec.Overrides()
                (overrides.data, overrides.seed, overrides.logEvery) = ("/scratch/\(dataset)", UInt(String(id.last!)), 1000)
                if file.hasSuffix("2bit") { overrides.levels = try QuantizationLevels.kLevel(4) }
                let preset = try Preset.named(String(id.dropLast(3)))
                #expect(spec == (try RunSpec.resolve(preset: preset, overrides: overrides, trainingImages: 45_000)))
                #expect(spec.method == preset.method && plan.runs.first { $0.id == id }?.checkpointEvery == 5000)
            }
        }
    }

    /// Plan (with the measured estimate), run and collect one VGG-16 and one ResNet-18 run, on
    /// CIFAR-10 and CIFAR-100 files the test writes.
    @Test(arguments: [("cifar10", "cifar10-resnet18-pmf"), ("cifar100", "cifar100-vgg16-pq")])
    func aCIFARSweepRunsEndToEndOnSyntheticData(_ file: String, _ preset: String) throws {
        let pmf = try pmfExecutable()
        let data = try writeCIFAR(classes: file == "cifar10" ? 10 : 100, perFile: 4)
        let out = temporaryFolder("sweep-\(file)")
        let planned = try runProcess(pmf, ["sweep", "plan", sweeps.appendingPathComponent("\(file).yaml").path, "--out", out.path,
                                           "--set", "data=\(data.path)", "--set", "preset=\(preset)", "--set", "seed=2",
                                           "--set", "epochs=1", "--set", "batch-size=2", "--set", "limit=4", "--set", "bn=reestimate[batches=1]", "--json"])
        #expect(planned.status == 0, "\(planned.error)")
        let report = try JSONDecoder().decode(PlanReport.self, from: Data(planned.output.utf8))
        #expect(report.plan.added == ["\(preset)-s2"])
        let estimate = try #require(report.estimates.first)
        #expect(estimate.runs == ["\(preset)-s2"] && estimate.iterations == 2)
        #expect(estimate.seconds_per_iteration > 0 && estimate.seconds_per_run >= 2 * estimate.seconds_per_iteration)
        let ran = try runProcess(pmf, ["sweep", "run", out.path, "--json"])
        #expect(ran.status == 0, "\(ran.output) \(ran.error)")
        let collected = try runProcess(pmf, ["sweep", "collect", out.path])
        #expect(collected.status == 0 && collected.output.contains(preset), "\(collected.error)")
        let results = try String(contentsOf: out.appendingPathComponent("runs/\(preset)-s2/results.json"), encoding: .utf8)
        #expect(results.contains("\"dataset\" : \"\(file)\"") && results.contains("\"train_size\" : 4"))
    }
}
