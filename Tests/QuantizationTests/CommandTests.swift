import Foundation
import NeuralNet
import Quantization
import Testing

/// The built `pmf` tool as a user runs it: killed mid-run and resumed, exported and evaluated.
@Suite(.serialized) struct CommandTests {
    @Test func aKilledRunResumesToTheUninterruptedWeights() throws {
        let pmf = try pmfExecutable()
        let data = try writeIDXFolder(train: 1200, test: 300)
        let common = ["train", "--dataset", "mnist", "--data", data.path, "--arch", "mlp", "--method", "pmf[rho=1.3,every=20]",
                      "--epochs", "4", "--batch-size", "10", "--log-every", "20", "--seed", "7", "--checkpoint-every", "20"]
        let whole = temporaryFolder("whole"), killed = temporaryFolder("killed")
        let reference = try runProcess(pmf, common + ["--out", whole.path, "--json"])
        #expect(reference.status == 0, "\(reference.error)")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: pmf)
        process.arguments = common + ["--out", killed.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let checkpointPath = killed.appendingPathComponent(Checkpoint.fileName).path
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: checkpointPath) && process.isRunning && Date() < deadline { usleep(2000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the run ended before it could be killed")
        let partial = try Checkpoint(contentsOf: killed.path)
        #expect(partial.state.iteration < 400 && partial.state.iteration % 20 == 0)

        let resumed = try runProcess(pmf, ["train", "--resume", killed.path, "--json"])
        #expect(resumed.status == 0, "\(resumed.error)")
        #expect(resumed.output.contains("\"resumed_from_iteration\":\(partial.state.iteration)"))
        let a = try Checkpoint(contentsOf: whole.path).state, b = try Checkpoint(contentsOf: killed.path).state
        #expect(a.iteration == 400 && b.iteration == 400)
        #expect(bits(a.method) == bits(b.method))
        #expect(bits(a.network.values) == bits(b.network.values))
        #expect(bits(a.optimizer.buffers) == bits(b.optimizer.buffers))
        #expect(bits(a.best!.quantized.values) == bits(b.best!.quantized.values))
        func accuracies(_ text: String) -> [String] {
            text.split(separator: ",").filter { $0.contains("test_accuracy") }.map(String.init)
        }
        #expect(accuracies(reference.output) == accuracies(resumed.output) && !accuracies(reference.output).isEmpty)
        // Changing the run's settings on resume is refused.
        let changed = try runProcess(pmf, ["train", "--resume", killed.path, "--lr", "0.5"])
        #expect(changed.status != 0 && changed.error.contains("--resume"))
        let trace = try String(contentsOf: killed.appendingPathComponent("trace.dat"), encoding: .utf8)
        #expect(trace.contains("validation_accuracy_fractional") && trace.contains("flip_ratio"))
    }

    /// `pmf train --run` on the settings a run stores trains the same bits as the flags that made
    /// them, on any worker count; flags override the file; a bad file or a clashing flag is refused.
    @Test func aRunFileTrainsTheRunItDescribes() throws {
        let pmf = try pmfExecutable()
        let data = try writeIDXFolder(train: 600, test: 200)
        let flags = temporaryFolder("flags"), file = temporaryFolder("file"), shorter = temporaryFolder("shorter")
        let byFlags = try runProcess(pmf, ["train", "--dataset", "mnist", "--data", data.path, "--arch", "mlp", "--method", "pmf[rho=1.3,every=20]",
                                           "--epochs", "2", "--batch-size", "20", "--log-every", "10", "--seed", "3", "--out", flags.path])
        #expect(byFlags.status == 0, "\(byFlags.error)")
        let settings = flags.appendingPathComponent("run.json")
        try Checkpoint(contentsOf: flags.path).settings.write(to: settings, atomically: true, encoding: .utf8)
        let byFile = try runProcess(pmf, ["train", "--run", settings.path, "--out", file.path], environment: ["PMFKIT_THREADS": "1"])
        #expect(byFile.status == 0, "\(byFile.error)")
        let a = try Checkpoint(contentsOf: flags.path), b = try Checkpoint(contentsOf: file.path)
        #expect(a.settings == b.settings && a.state.iteration == b.state.iteration && a.state.iteration > 0)
        #expect(bits(a.state.method) == bits(b.state.method) && bits(a.state.network.values) == bits(b.state.network.values))
        let overridden = try runProcess(pmf, ["train", "--run", settings.path, "--epochs", "1", "--out", shorter.path])
        #expect(overridden.status == 0, "\(overridden.error)")
        #expect(2 * (try Checkpoint(contentsOf: shorter.path).state.iteration) == a.state.iteration)

        let missing = try runProcess(pmf, ["train", "--run", "/no/such/run.json"])
        #expect(missing.status != 0 && missing.error.contains("/no/such/run.json: cannot read the run settings"))
        let partial = flags.appendingPathComponent("partial.json")
        try #"{"arch": "mlp"}"#.write(to: partial, atomically: true, encoding: .utf8)
        let lacking = try runProcess(pmf, ["train", "--run", partial.path])
        #expect(lacking.status != 0 && lacking.error.contains("\(partial.path): the run settings lack"))
        let clash = try runProcess(pmf, ["train", "--run", settings.path, "--preset", "mnist-lenet300-pmf"])
        #expect(clash.status != 0 && clash.error.contains("--run cannot be combined with --preset"))
        let bad = try runProcess(pmf, ["train", "--run", settings.path, "--lr=-1"])
        #expect(bad.status != 0 && bad.error.contains("\(settings.path): --lr must be positive"))
        // With --resume, the checkpoint must have been written by the file's spec.
        let again = try runProcess(pmf, ["train", "--run", settings.path, "--out", file.path, "--resume", file.path])
        #expect(again.status == 0, "\(again.error)")
        let other = flags.appendingPathComponent("other.json")
        try String(contentsOf: settings, encoding: .utf8).replacingOccurrences(of: "\"seed\":3", with: "\"seed\":4").write(to: other, atomically: true, encoding: .utf8)
        let mismatch = try runProcess(pmf, ["train", "--run", other.path, "--out", file.path, "--resume", file.path])
        #expect(mismatch.status != 0 && mismatch.error.contains("written by other settings than \(other.path)"))
    }

    /// `pmf bench step` times every method it is given and refuses a run count below one.
    @Test func stepBenchTimesEachMethod() throws {
        let pmf = try pmfExecutable()
        let run = try runProcess(pmf, ["bench", "step", "--arch", "mlp", "--steps", "3", "--repeats", "1", "--json"])
        #expect(run.status == 0, "\(run.error)")
        struct Row: Decodable { let method: String; let milliseconds_per_step: Double }
        let rows = try JSONDecoder().decode([Row].self, from: Data(run.output.utf8))
        #expect(rows.map { $0.method.prefix(3) } == ["ref", "bc", "pgd", "pmf"])
        #expect(rows.allSatisfy { $0.milliseconds_per_step > 0 && $0.milliseconds_per_step.isFinite })
        let refused = try runProcess(pmf, ["bench", "step", "--repeats", "0"])
        #expect(refused.status != 0 && refused.error.contains("--repeats"))
    }

    /// `pmf bench train` reports each run's fastest epoch and a GEMM floor that is the epoch's
    /// matrix-product FLOPs (counted here by hand for the MLP) at the sgemm rate it reports.
    @Test func trainBenchReportsTheFloorOfItsRate() throws {
        let pmf = try pmfExecutable()
        let data = try writeIDXFolder(train: 300, test: 500, side: 28)
        let run = try runProcess(pmf, ["bench", "train", "--arch", "mlp", "--method", "ref", "pmf", "--repeats", "2",
                                       "--data", data.path, "--json"])
        #expect(run.status == 0, "\(run.error)")
        struct Row: Decodable { let arch, engine, method: String; let seconds_per_epoch, samples_per_second: Double; let gemm_floor_seconds: Double? }
        struct Report: Decodable { let sgemm_gflops: Double; let results: [Row] }
        let report = try JSONDecoder().decode(Report.self, from: Data(run.output.utf8))
        #expect(report.results.map(\.method) == ["REF", "PMF"] && report.sgemm_gflops > 0)
        // Linear 784 → 100 (forward and ∂W) and 100 → 10 (forward, ∂W and ∂x), 2 FLOPs per multiply-add, 300 images.
        let flops = Double(2 * 784 * 100 * 2 + 2 * 100 * 10 * 3) * 300
        for row in report.results {
            let floor = try #require(row.gemm_floor_seconds)
            #expect(abs(floor - flops / (report.sgemm_gflops * 1e9)) <= 1e-12 * floor, "\(row)")
            #expect(abs(row.seconds_per_epoch * row.samples_per_second - 300) < 1e-6, "\(row)")
        }
    }

    /// `pmf bench sgemm --size` times the products it is given, for both libraries, and names a malformed size.
    @Test func sgemmBenchTimesTheGivenSizes() throws {
        let pmf = try pmfExecutable()
        let run = try runProcess(pmf, ["bench", "sgemm", "--size", "20x25x64", "--size", "3×5×7", "--seconds", "0.01", "--threads", "1", "--json"])
        #expect(run.status == 0, "\(run.error)")
        struct Row: Decodable { let m, n, k: Int; let library: String; let gflops: Double }
        struct Report: Decodable { let openblas_threads: Int; let results: [Row] }
        let report = try JSONDecoder().decode(Report.self, from: Data(run.output.utf8))
        #expect(report.openblas_threads == 1)
        #expect(report.results.map { "\($0.m)x\($0.n)x\($0.k) \($0.library)" }
                == ["20x25x64 openblas", "20x25x64 gslcblas", "3x5x7 openblas", "3x5x7 gslcblas"])
        #expect(report.results.allSatisfy { $0.gflops > 0 && $0.gflops.isFinite })
        let refused = try runProcess(pmf, ["bench", "sgemm", "--size", "20x0x64"])
        #expect(refused.status != 0 && refused.error.contains("--size") && refused.error.contains("20x0x64"))
    }

    @Test func anExportEvaluatesToTheReportedAccuracy() throws {
        let pmf = try pmfExecutable()
        let data = try writeIDXFolder(train: 600, test: 300)
        let export = temporaryFolder("cli-export")
        let trained = try runProcess(pmf, ["train", "--dataset", "mnist", "--data", data.path, "--arch", "mlp", "--method", "pq",
                                           "--levels", "ternary", "--epochs", "2", "--batch-size", "20", "--log-every", "10",
                                           "--export", export.path, "--json"])
        #expect(trained.status == 0, "\(trained.error)")
        #expect(trained.output.contains("\"test_accuracy_quantized\"") && trained.output.contains("\"test_accuracy_fractional\""))
        let evaluated = try runProcess(pmf, ["eval", "--export", export.path, "--data", data.path, "--json"])
        #expect(evaluated.status == 0, "\(evaluated.error)")
        #expect(evaluated.output.contains("\"reproduced\":true"), "\(evaluated.output)")
        let script = "import json,numpy as np,sys; m=json.load(open(sys.argv[1]+'/manifest.json')); " +
            "print(all(set(np.unique(np.load(sys.argv[1]+'/'+p['file'])).tolist()) <= {-1.0,0.0,1.0} and list(np.load(sys.argv[1]+'/'+p['file']).shape)==p['shape'] for p in m['parameters']))"
        let check = try runProcess("/usr/bin/env", ["python3", "-c", script, export.path])
        #expect(check.output == "True\n", "\(check.error)")
        let presets = try runProcess(pmf, ["train", "--list-presets"])
        #expect(presets.status == 0 && presets.output.contains("mnist-lenet300-pmf") && presets.output.contains("cifar10-resnet18-pgd"))
        let bad = try runProcess(pmf, ["train", "--method", "pmf[rh=2]"])
        #expect(bad.status != 0 && bad.error.contains("has no setting 'rh'"))
    }
}
