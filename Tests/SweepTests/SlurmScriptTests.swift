import Foundation
import Testing
@testable import Sweep

@Suite struct SlurmScriptTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("golden/sweep.sbatch")

    /// The script for a fixed sweep matches the committed golden file byte for byte
    /// (`PMF_UPDATE_GOLDEN=1 swift test --filter SlurmScriptTests` rewrites it after a deliberate change).
    @Test func scriptMatchesTheGoldenFile() throws {
        let script = slurmScript(SlurmSettings(sweepFolder: "/shared/sweeps/table2", binary: "/shared/pmfkit/.build/release/pmf",
                                               taskCount: 27, partition: "gpu", time: "2:00:00", maxParallel: 8))
        if ProcessInfo.processInfo.environment["PMF_UPDATE_GOLDEN"] == "1" {
            try script.write(to: Self.golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: Self.golden, encoding: .utf8)
        #expect(script == expected)
    }

    @Test func arrayLogsRequeueAndBinaryAreInTheScript() {
        let script = slurmScript(SlurmSettings(sweepFolder: "/s", binary: "/opt/pmf", taskCount: 4))
        let lines = script.split(separator: "\n").map(String.init)
        #expect(lines.contains("#SBATCH --array=0-3"))
        #expect(lines.contains("#SBATCH --output=/s/logs/%A_%a.out"))
        #expect(lines.contains("#SBATCH --requeue"))
        #expect(lines.contains("PMF='/opt/pmf'"))
        #expect(!script.contains("--partition") && !script.contains("--time") && !script.contains("--signal"))
        #expect(lines.contains("trap 'stop TERM' TERM"))
    }

    @Test func pathsAreShellQuoted() {
        #expect(shellQuoted("/a b/it's") == "'/a b/it'\\''s'")
    }
}

@Suite struct CollectTests {
    @Test func meansAndStdsMatchADirectComputation() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try write("axes:\n  method: [ref, pmf]\n  lr: [0.001, 0.01]\n  seed: [1, 2, 3]\n", to: folder + "/s.yaml")
        let (plan, _) = try planSweep(file: folder + "/s.yaml", into: folder + "/out")
        var expected: [String: [Double]] = [:]
        for (index, run) in plan.runs.enumerated() where run.id != "pmf-lr0.01-s3" {   // one run unfinished
            let accuracy = 0.5 + 0.037 * Double(index % 5)
            expected["\(run.value(of: "method")!)/\(run.value(of: "lr")!)", default: []].append(accuracy)
            try writeReport(testAccuracy: accuracy, to: folder + "/out/runs/\(run.id)")
        }
        let collection = try collectSweep(plan, folder: folder + "/out")
        #expect(collection.groupAxes == ["method", "lr"])
        #expect(collection.groups.count == 4)
        for group in collection.groups {
            let key = "\(group.settings[0].value)/\(group.settings[1].value)"
            let accuracies = try #require(expected[key])
            func check(_ stats: MeanStd, _ values: [Double]) {
                let mean = values.reduce(0, +) / Double(values.count)
                var sum = 0.0
                for v in values { sum += (v - mean) * (v - mean) }
                let std = values.count > 1 ? (sum / Double(values.count - 1)).squareRoot() : 0
                #expect(stats.count == values.count)
                #expect(abs(stats.mean - mean) < 1e-12)
                #expect(abs(stats.std - std) < 1e-12)
            }
            check(group.testAccuracy, accuracies)
        }
        let last = try #require(collection.groups.last)
        #expect(last.runs == ["pmf-lr0.01-s1", "pmf-lr0.01-s2"] && last.unfinished == 1 && last.seeds == ["1", "2"])

        let markdown = try collection.table.markdown()
        #expect(markdown.hasPrefix("| method | lr    | seeds | test accuracy (%) |\n"))
        #expect(try collection.table.latex().contains("\\toprule"))
        let data = try collection.dataFile(command: "pmf sweep collect out", version: "test").text()
        #expect(data.contains("# method=ref\n") && data.contains("# method=pmf\n"))
        #expect(data.contains("# [column 1] lr\n"))
    }

    @Test func parametersSomeMethodsLackStayNumericColumns() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try write("axes:\n  method: [ref, pmf]\n  rho: [1.05, 1.2]\n  seed: [1]\n", to: folder + "/s.yaml")
        let (plan, _) = try planSweep(file: folder + "/s.yaml", into: folder + "/out")
        #expect(plan.runs.map(\.id) == ["ref-s1", "pmf-rho1.05-s1", "pmf-rho1.2-s1"])
        for run in plan.runs { try writeReport(testAccuracy: 0.5, to: folder + "/out/runs/\(run.id)") }
        let collection = try collectSweep(plan, folder: folder + "/out")
        let data = try collection.dataFile(command: "c", version: "v").text()
        #expect(data.contains("# [column 1] rho\n") && data.contains("# method=ref\nNaN 1.0 0.5 0.0\n"))
        #expect(data.contains("# method=pmf\n1.05 1.0 0.5 0.0\n1.2 1.0 0.5 0.0\n"))
        #expect(try collection.table.markdown().contains("| ref    | –    |"))
    }

    @Test func singleSeedHasZeroStd() throws {
        #expect(MeanStd([0.8]) == MeanStd([0.8]))
        #expect(MeanStd([0.8]).std == 0)
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try write("{\"axes\": {\"seed\": [1]}}", to: folder + "/s.json")
        let (plan, _) = try planSweep(file: folder + "/s.json", into: folder + "/out")
        try writeReport(testAccuracy: 0.75, to: folder + "/out/runs/s1")
        let collection = try collectSweep(plan, folder: folder + "/out")
        #expect(try collection.table.markdown() == "| seeds | test accuracy (%) |\n|------:|------------------:|\n|     1 |      75.00 ± 0.00 |\n")
    }
}

@Suite struct MalformedSweepTests {
    func error(_ text: String, json: Bool = false) -> String {
        do {
            _ = try SweepFile(text: text, file: "bad.yaml", json: json)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func unknownKeysNameTheKeyAndLine() {
        #expect(error("axes:\n  seed: [1]\n  epoch: [1, 2]\n").hasPrefix("bad.yaml:3:3: axes: unknown key 'epoch'"))
        #expect(error("axes: {seed: [1]}\nbogus: 1\n").hasPrefix("bad.yaml:2: unknown key 'bogus'"))
        #expect(error("fixed: {out: x}\naxes: {seed: [1]}").contains("the sweep sets --out and --resume itself"))
    }

    @Test func badValuesNameTheKeyAndLine() {
        #expect(error("axes:\n  seed: [1, two]\n") == "bad.yaml:2: axes: --seed is 'two'; it must be a number")
        #expect(error("axes:\n  lr: 0.1\n").hasPrefix("bad.yaml:2: axes: 'lr' must be a list of values"))
        #expect(error("axes:\n  seed: []\n") == "bad.yaml:2: axes: 'seed' has no values")
        #expect(error("axes:\n  seed: [1, 1]\n") == "bad.yaml:2: axes: 'seed' lists 1 twice")
        #expect(error("fixed:\n  epochs: 1\naxes:\n  epochs: [1, 2]\n").contains("'epochs' is both fixed (1) and an axis"))
        #expect(error("fixed:\n  lr: [1]\n") == "bad.yaml:2: fixed: 'lr' needs a value (a number or a word), not a list")
    }

    @Test func syntaxErrorsNameTheLine() {
        #expect(error("axes:\n  seed: [1, 2\n").hasPrefix("bad.yaml:3:1: not valid YAML"))
        #expect(error("{\"axes\": {\"seed\": [1, 2}}", json: true).hasPrefix("bad.yaml: not valid JSON"))
        #expect(error("- 1\n- 2\n").contains("a sweep file is a mapping"))
        #expect(error("axes: {seed: [1]}\naxes: {lr: [1]}\n").contains("given twice"))
    }

    @Test func methodParametersNeedAMethod() throws {
        let sweep = try SweepFile(text: "base: some-preset\naxes: {rho: [1.05]}")
        #expect(throws: SweepError.self) { try sweep.expand(baseFolder: "/") }
    }
}
