import ArgumentParser
import Foundation
import Gnuplot
import NeuralNet
import Quantization
import Simplex
import Sweep
import Support

/// `pmf sweep`: plan a grid of `pmf train` runs, run it locally or as a Slurm job array,
/// follow it and collect its results.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Sweeps of pmf train runs: plan, run locally or on Slurm, status, collect.",
        subcommands: [SweepPlanCommand.self, SweepRunCommand.self, SweepSlurmCommand.self, SweepStatusCommand.self,
                      SweepCollectCommand.self, SweepExecCommand.self])
}

struct SweepPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Expand a sweep file (YAML or JSON) into DIR/plan.json and one folder per run with its command.json.",
        discussion: "Planning again is idempotent: finished runs are never touched, new runs are added, removed ones reported (not deleted).")

    @Argument(help: "The sweep file (.yaml, .yml or .json).") var file: String
    @Option(help: "The sweep folder.") var out: String
    @Option(name: .customLong("set"), help: "Override KEY=VALUE (repeatable): an axis becomes that one value, any other key is fixed, e.g. --set epochs=1 --set data=/scratch/cifar.")
    var overrides: [String] = []
    @Flag(inversion: .prefixedNo, help: "Measure one training iteration per kind of run and print each run's estimated CPU time.")
    var estimate = true
    @Flag(help: "Print one JSON object.") var json = false

    /// The estimated cost of the runs sharing one network, data shape, batch size and method.
    struct Estimate: Encodable {
        let runs: [String]
        let arch, dataset, method, levels: String
        let batch_size, iterations: Int
        let seconds_per_iteration, seconds_per_run: Double
    }

    struct Report: Encodable {
        let plan: PlanOutcome
        let estimates: [Estimate]
    }

    func run() throws {
        let (plan, outcome) = try planSweep(file: file, into: out, overrides: overrides)
        let estimates = estimate ? try estimateCosts(plan) : []
        if json { return try printJSON(Report(plan: outcome, estimates: estimates)) }
        print("planned \(plan.runs.count) runs in \(out): \(outcome.added.count) new, \(outcome.updated.count) updated, \(outcome.unchanged.count) unchanged")
        for id in outcome.added { print("  + \(id)") }
        for id in outcome.updated { print("  ~ \(id) (command changed; not finished, so updated)") }
        for id in outcome.staleFinished { print("  ! \(id) finished with an older command; kept as it is (delete its folder to rerun)") }
        for id in outcome.removed { print("  - \(id) no longer in the sweep file; its folder is kept") }
        guard !estimates.isEmpty else { return }
        print("estimated CPU time per run (one iteration measured on this machine, \(coreCount) cores; evaluations included):")
        for e in estimates {
            print(String(format: "  %@ %@ %@ batch %d: %.3f s/iteration × %d iterations ≈ %@ per run (%d run%@)", e.dataset, e.arch, e.method,
                         e.batch_size, e.seconds_per_iteration, e.iterations, duration(e.seconds_per_run), e.runs.count, e.runs.count == 1 ? "" : "s"))
        }
        let total = estimates.map { $0.seconds_per_run * Double($0.runs.count) }.reduce(0, +)
        print("  all \(plan.runs.count) runs: ≈ \(duration(total)) on this machine")
    }

    /// One measured iteration per kind of run (network, dataset, batch size, method, levels),
    /// extrapolated to each run's length (`RunCost`).
    private func estimateCosts(_ plan: SweepPlan) throws -> [Estimate] {
        var order: [String] = [], members: [String: [String]] = [:], configs: [String: RunConfig] = [:]
        for run in plan.runs {
            let train = try Train.parse(Array(run.argv.dropFirst(2)))
            let config = try RunConfig.resolve(preset: try train.preset.map { try Preset.named($0) }, overrides: train.overrides)
            let key = [config.arch, config.dataset, "\(config.batchSize)", config.method, config.levels].joined(separator: " ")
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(run.id)
            configs[key] = config
        }
        return try order.map { key in
            let c = configs[key]!
            guard let arch = Architecture(rawValue: c.arch), let dataset = DatasetKind(rawValue: c.dataset) else {
                throw CommandError("unknown architecture or dataset in \(key)")
            }
            let images = c.limit ?? Int((Double(dataset.standardTrainingImages) * (1 - dataset.validationFraction)).rounded())
            let cost = try RunCost.estimate(arch: arch, dataset: dataset, method: c.method, levels: c.levels, batchSize: c.batchSize,
                                            epochs: c.epochs, trainingImages: images, logEvery: c.logEvery, normalizationBatches: c.bnBatches)
            return Estimate(runs: members[key]!, arch: c.arch, dataset: c.dataset, method: c.method, levels: c.levels, batch_size: c.batchSize,
                            iterations: cost.iterations, seconds_per_iteration: cost.secondsPerIteration, seconds_per_run: cost.seconds)
        }
    }

    private func duration(_ seconds: Double) -> String {
        seconds < 90 ? String(format: "%.0f s", seconds) : seconds < 5400 ? String(format: "%.1f min", seconds / 60)
            : String(format: "%.1f h", seconds / 3600)
    }
}

/// The `pmf` binary this process runs as: `CommandLine.arguments[0]` made absolute (found on
/// `PATH` when it has no slash), else `/proc/self/exe`.
func pmfBinary() -> String {
    let zero = CommandLine.arguments[0]
    if zero.contains("/") {
        let url = URL(fileURLWithPath: zero, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true))
        let path = url.standardizedFileURL.resolvingSymlinksInPath().path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    } else if let found = findExecutable(zero) {
        return URL(fileURLWithPath: found).resolvingSymlinksInPath().path
    }
    return (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? zero
}

func runFolder(_ sweep: String, _ id: String) -> String {
    URL(fileURLWithPath: sweep, isDirectory: true).appendingPathComponent("runs/\(id)").standardizedFileURL.path
}

func readResults(_ folder: String) -> [String: Any]? {
    guard let data = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent(RunFiles.results)) else { return nil }
    return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
}

struct SweepRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the unfinished runs of a planned sweep locally, N at a time.",
        discussion: "Each run is `pmf train … --out DIR/runs/ID` (this binary), its output appended to DIR/runs/ID/log.txt; finished runs are skipped, interrupted ones resume from their checkpoint.")

    @Argument(help: "The sweep folder (from pmf sweep plan).") var folder: String
    @Option(help: "Worker processes.") var jobs = 1
    @Flag(help: "Print one JSON object at the end.") var json = false

    func validate() throws {
        guard jobs >= 1 else { throw CommandError("--jobs must be ≥ 1") }
    }

    struct Report: Encodable {
        var finished: [String] = [], failed: [String] = [], skipped: [String] = [], already_running: [String] = []
        var seconds = 0.0
    }

    func run() throws {
        let plan = try SweepPlan(folder: folder)
        let binary = pmfBinary()
        var report = Report()
        var queue: [PlannedRun] = []
        for run in plan.runs {
            switch RunFiles.status(of: runFolder(folder, run.id)) {
            case .finished: report.skipped.append(run.id)
            case .running: report.already_running.append(run.id)
            case .failed, .pending: queue.append(run)
            }
        }
        let total = queue.count
        let bar = SweepBar(total: total)
        if !json {
            print("\(total) runs to do (\(report.skipped.count) finished, \(report.already_running.count) running elsewhere), \(jobs) at a time")
        }
        let start = Date()
        var active: [(pid: pid_t, run: PlannedRun, folder: String, start: Date)] = []
        var done = 0
        queue.reverse()
        while !queue.isEmpty || !active.isEmpty {
            while active.count < jobs, let run = queue.popLast() {
                let dir = runFolder(folder, run.id)
                let command = try RunCommand(runFolder: dir)
                let argv = RunFiles.launchArguments(for: command, binary: binary, runFolder: dir)
                try? FileManager.default.removeItem(atPath: (dir as NSString).appendingPathComponent(RunFiles.failed))
                appendLog(dir, "=== \(ISO8601DateFormatter().string(from: Date())) \(argv.joined(separator: " "))\n")
                let pid = try spawn(argv, log: (dir as NSString).appendingPathComponent(RunFiles.log))
                try writeJSON(RunFiles.RunningMarker(host: shortHostName(), pid: pid), to: (dir as NSString).appendingPathComponent(RunFiles.running))
                active.append((pid, run, dir, Date()))
            }
            var status: Int32 = 0
            var progressed = false
            for (index, entry) in active.enumerated().reversed() {
                let result = waitpid(entry.pid, &status, WNOHANG)
                guard result == entry.pid || (result < 0 && errno == ECHILD) else { continue }
                active.remove(at: index)
                progressed = true
                done += 1
                try? FileManager.default.removeItem(atPath: (entry.folder as NSString).appendingPathComponent(RunFiles.running))
                let exited = result == entry.pid && (status & 0x7f) == 0
                let code = exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                let seconds = Date().timeIntervalSince(entry.start)
                if code == 0, let results = readResults(entry.folder) {
                    report.finished.append(entry.run.id)
                    let accuracy = (results["test_accuracy"] as? NSNumber)?.doubleValue ?? .nan
                    bar.line(String(format: "[%d/%d] finished %@: test accuracy %.2f%% (%.1f s)", done, total, entry.run.id, 100 * accuracy, seconds))
                } else {
                    report.failed.append(entry.run.id)
                    try? writeJSON(["exit_status": Int(code)], to: (entry.folder as NSString).appendingPathComponent(RunFiles.failed))
                    let last = RunFiles.logTail(of: entry.folder, lines: 1).first ?? ""
                    bar.line("[\(done)/\(total)] FAILED \(entry.run.id) (exit status \(code)): \(last)")
                }
            }
            if !progressed, !active.isEmpty { usleep(100_000) }
            bar.draw(done: done, running: active.count)
        }
        bar.finish()
        report.seconds = Date().timeIntervalSince(start)
        if json { return try printJSON(report) }
        print(String(format: "%d finished, %d failed, %d skipped in %.1f s", report.finished.count, report.failed.count, report.skipped.count, report.seconds))
        if !report.failed.isEmpty { throw CommandError("\(report.failed.count) runs failed; see pmf sweep status \(folder)") }
    }

    private func appendLog(_ dir: String, _ text: String) {
        let path = (dir as NSString).appendingPathComponent(RunFiles.log)
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try? handle.close()
    }
}

/// Starts `argv` (argv[0] an absolute path) with standard output and error appended to `log`.
func spawn(_ argv: [String], log: String) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    var cArgs = argv.map { strdup($0) } + [nil]
    defer { cArgs.forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, argv[0], &actions, nil, &cArgs, environ)
    guard rc == 0 else { throw CommandError("cannot start \(argv[0]): \(String(cString: strerror(rc)))") }
    return pid
}

func writeJSON(_ value: some Encodable, to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    try writeAtomically(try encoder.encode(value) + Data("\n".utf8), to: URL(fileURLWithPath: path))
}

/// A progress line per finished run and an overall bar, on standard error.
final class SweepBar {
    private let total: Int
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var lastDone = -1

    init(total: Int) { self.total = total }

    func line(_ text: String) {
        write((isTerminal ? "\r\u{1B}[K" : "") + text + "\n")
    }

    func draw(done: Int, running: Int) {
        guard total > 0 else { return }
        let width = 30, filled = total == 0 ? width : done * width / total
        let bar = "sweep [" + String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled) + "] \(done)/\(total) done, \(running) running"
        if isTerminal {
            write("\r" + bar + "\u{1B}[K")
        } else if done != lastDone {
            write(bar + "\n")
        }
        lastDone = done
    }

    func finish() { if isTerminal { write("\n") } }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}

struct SweepExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Replace this process with a run's pmf train command (used by the Slurm script).",
        discussion: "Reads RUN/command.json and adds --resume RUN when RUN holds a checkpoint.")

    @Argument(help: "A run folder (DIR/runs/ID).") var runFolder: String

    func run() throws {
        let folder = URL(fileURLWithPath: runFolder).standardizedFileURL.path
        let command = try RunCommand(runFolder: folder)
        let binary = pmfBinary()
        let argv = RunFiles.launchArguments(for: command, binary: binary, runFolder: folder)
        FileHandle.standardOutput.write(Data("exec \(argv.joined(separator: " "))\n".utf8))
        var cArgs = argv.map { strdup($0) } + [nil]
        execv(binary, &cArgs)
        throw CommandError("cannot run \(binary): \(String(cString: strerror(errno)))")
    }
}

struct SweepSlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Write DIR/sweep.sbatch, a Slurm job array with one task per unfinished run (and submit it with --submit).",
        discussion: "The cluster needs this pmf binary and the data at the same paths on every node (a shared filesystem).")

    @Argument(help: "The sweep folder (from pmf sweep plan).") var folder: String
    @Option(help: "Slurm partition.") var partition: String?
    @Option(help: "Time limit per task, e.g. 2:00:00.") var time: String?
    @Option(name: .customLong("max-parallel"), help: "At most K tasks at once.") var maxParallel: Int?
    @Option(name: .customLong("cpus-per-task"), help: "CPUs per task.") var cpusPerTask = 1
    @Flag(help: "Submit the script with sbatch and print the job id.") var submit = false
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        if let maxParallel, maxParallel < 1 { throw CommandError("--max-parallel must be ≥ 1") }
        guard cpusPerTask >= 1 else { throw CommandError("--cpus-per-task must be ≥ 1") }
    }

    struct Report: Encodable { var script: String?; var task_list: String?; var tasks: [String]; var job_id: String? }

    func run() throws {
        let sweep = URL(fileURLWithPath: folder, isDirectory: true).standardizedFileURL
        let plan = try SweepPlan(folder: sweep.path)
        let tasks = plan.runs.map(\.id).filter {
            let status = RunFiles.status(of: runFolder(sweep.path, $0))
            return status == .pending || status == .failed
        }
        guard !tasks.isEmpty else {
            if json { return try printJSON(Report(script: nil, task_list: nil, tasks: [], job_id: nil)) }
            print("nothing to submit: every run of \(sweep.path) is finished or running")
            return
        }
        // A new list per generated script: tasks of an older job still queued keep their own mapping.
        var number = 1
        while FileManager.default.fileExists(atPath: sweep.appendingPathComponent("sweep-\(number).tasks").path) { number += 1 }
        let settings = SlurmSettings(sweepFolder: sweep.path, binary: pmfBinary(), taskCount: tasks.count, partition: partition,
                                     time: time, maxParallel: maxParallel, cpusPerTask: cpusPerTask, taskList: "sweep-\(number).tasks")
        try FileManager.default.createDirectory(at: sweep.appendingPathComponent("logs"), withIntermediateDirectories: true)
        try writeAtomically(tasks.joined(separator: "\n") + "\n", to: sweep.appendingPathComponent(settings.taskList))
        let scriptURL = sweep.appendingPathComponent(SlurmSettings.scriptName)
        try writeAtomically(slurmScript(settings), to: scriptURL)
        chmod(scriptURL.path, 0o755)
        var jobID: String?
        if submit {
            guard let sbatch = findExecutable("sbatch") else { throw CommandError("sbatch is not on PATH; run this on a Slurm login node, or drop --submit") }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: sbatch)
            process.arguments = ["--parsable", scriptURL.path]
            let out = Pipe(), err = Pipe()
            (process.standardOutput, process.standardError) = (out, err)
            try process.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let errorText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw CommandError("sbatch failed (status \(process.terminationStatus)): \(errorText.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            jobID = String(text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first ?? "")
        }
        if json { return try printJSON(Report(script: scriptURL.path, task_list: sweep.appendingPathComponent(settings.taskList).path, tasks: tasks, job_id: jobID)) }
        print("wrote \(scriptURL.path): \(tasks.count) array tasks (index → run id in \(settings.taskList))")
        if let jobID { print("submitted job \(jobID)") } else { print("submit with: sbatch \(scriptURL.path)") }
    }
}

struct SweepStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Count finished, running, failed and pending runs; show each failure's last log lines.")

    @Argument(help: "The sweep folder.") var folder: String
    @Flag(help: "Print one JSON object.") var json = false

    struct Failure: Encodable { let id: String; let log_tail: [String] }
    struct Report: Encodable {
        var counts: [String: Int]
        var runs: [String: [String]]
        var failures: [Failure]
        var resumable: [String]
    }

    func run() throws {
        let plan = try SweepPlan(folder: folder)
        var runs: [String: [String]] = Dictionary(uniqueKeysWithValues: RunStatus.allCases.map { ($0.rawValue, []) })
        var failures: [Failure] = [], resumable: [String] = []
        for run in plan.runs {
            let dir = runFolder(folder, run.id)
            let status = RunFiles.status(of: dir)
            runs[status.rawValue, default: []].append(run.id)
            if status == .failed { failures.append(Failure(id: run.id, log_tail: RunFiles.logTail(of: dir, lines: 5))) }
            if status == .pending, RunFiles.hasCheckpoint(dir) { resumable.append(run.id) }
        }
        let report = Report(counts: runs.mapValues(\.count), runs: runs, failures: failures, resumable: resumable)
        if json { return try printJSON(report) }
        print("\(plan.runs.count) runs: " + RunStatus.allCases.map { "\(runs[$0.rawValue]!.count) \($0.rawValue)" }.joined(separator: ", "))
        for status in RunStatus.allCases where !runs[status.rawValue]!.isEmpty {
            print("\(status.rawValue): " + runs[status.rawValue]!.map { resumable.contains($0) ? "\($0) (resumable)" : $0 }.joined(separator: " "))
        }
        for failure in failures {
            print("--- \(failure.id) (last \(failure.log_tail.count) log lines)")
            failure.log_tail.forEach { print("    \($0)") }
        }
        if !plan.removed.isEmpty { print("no longer planned (kept): \(plan.removed.joined(separator: " "))") }
    }
}

struct SweepCollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Merge the runs' results.json into a table grouped by everything but the seed (mean ± std over seeds).",
        discussion: "Prints Markdown (or --latex, or --json) and writes DIR/collected.md, DIR/collected.tex and the gnuplot data file DIR/collected.dat.")

    @Argument(help: "The sweep folder.") var folder: String
    @Flag(help: "Print the LaTeX table instead of Markdown.") var latex = false
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let plan = try SweepPlan(folder: folder)
        let collection = try collectSweep(plan, folder: folder)
        guard !collection.groups.isEmpty else { throw CommandError("\(folder): no finished runs to collect yet (see pmf sweep status \(folder))") }
        let directory = URL(fileURLWithPath: folder, isDirectory: true)
        let markdown = try collection.table.markdown(), tex = try collection.table.latex()
        try writeAtomically(markdown, to: directory.appendingPathComponent("collected.md"))
        try writeAtomically(tex, to: directory.appendingPathComponent("collected.tex"))
        try collection.dataFile(command: "pmf sweep collect \(folder)", version: toolkitVersion).write(in: directory)
        if json { return try printJSON(collection) }
        print(latex ? tex : markdown, terminator: "")
    }
}
