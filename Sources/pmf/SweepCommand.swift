import ArgumentParser
import Foundation
import NeuralNet
import Quantization
import Support
import Sweep

/// `pmf sweep`: plan a grid of `pmf train` runs, run it locally or as a Slurm job array,
/// follow it and collect its results.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Sweeps of pmf train runs: plan, run locally or on Slurm, status, collect.",
        subcommands: [SweepPlanCommand.self, SweepRunCommand.self, SweepSlurmCommand.self, SweepStatusCommand.self,
                      SweepCollectCommand.self, SweepExecCommand.self, SweepStepTimeCommand.self])
}

struct SweepPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Expand a sweep file (YAML or JSON) into DIR/plan.json and one folder per run with its spec, config.json.",
        discussion: "Planning again is idempotent: finished runs are never touched, new runs are added, removed ones reported (not deleted).")

    @Argument(help: "The sweep file (.yaml, .yml or .json).") var file: String
    @Option(help: "The sweep folder.") var out: String
    @Option(name: .customLong("set"), help: "Override KEY=VALUE (repeatable): an axis becomes that one value, any other key is fixed, e.g. --set epochs=1 --set data=/scratch/cifar.")
    var overrides: [String] = []
    @Flag(inversion: .prefixedNo, help: "Measure one training iteration per kind of run, on all cores and on one, and print each run's estimated time.")
    var estimate = true
    @Option(parsing: .upToNextOption, help: "Core counts to estimate a run's wall and CPU hours for.") var cores: [Int] = [1, 2, 4, 8, 16]
    @Flag(help: "Print one JSON object.") var json = false

    struct Report: Encodable {
        let plan: PlanOutcome
        let estimates: [CostEstimate]
    }

    func run() throws {
        let (plan, outcome) = try planSweep(file: file, into: out, overrides: overrides)
        guard cores.allSatisfy({ $0 >= 1 }) else { throw CommandError("--cores: each core count must be ≥ 1, got \(cores)") }
        let estimates = estimate ? try CostEstimate.estimates(plan.runs.map { ($0.id, $0.spec) }, oneCore: { try CostEstimate.measureOnOneCore($0) }) : []
        if json { return try printJSON(Report(plan: outcome, estimates: estimates)) }
        print("planned \(plan.runs.count) runs in \(out): \(outcome.added.count) new, \(outcome.updated.count) updated, \(outcome.unchanged.count) unchanged")
        for id in outcome.added { print("  + \(id)") }
        for id in outcome.updated { print("  ~ \(id) (settings changed; not finished, so updated)") }
        for id in outcome.staleFinished { print("  ! \(id) finished with other settings (or before runs kept config.json); kept as it is (delete its folder to rerun)") }
        for id in outcome.removed { print("  - \(id) no longer in the sweep file; its folder is kept") }
        guard !estimates.isEmpty else { return }
        let counts = Array(Set(cores + [workerCount])).sorted()
        print("""
            estimated time per run, evaluations included: one iteration measured on 1 and \(workerCount) cores of this \
            machine, other core counts by Amdahl's law from the two (optimistic beyond \(workerCount)); CPU time = wall time × cores
            """)
        // Right-aligned 10-character columns, at least one space apart.
        func cell(_ text: String) -> String { String(repeating: " ", count: max(1, 10 - text.count)) + text }
        let header = counts.map { cell(String($0)) }.joined()
        func line(_ label: String, _ values: [Double?]) -> String {
            label.padding(toLength: 16, withPad: " ", startingAt: 0) + values.map { cell($0.map(duration) ?? "–") }.joined()
        }
        for e in estimates {
            let one = e.secondsPerIterationOneCore.map { String(format: "%.3f s/iteration on 1 core, ", $0) } ?? ""
            let parallel = e.parallelFraction.map { String(format: " (%.0f %% parallel)", 100 * $0) } ?? ""
            print(String(format: "  %@ %@ %@ %@ batch %d, %d run%@ of %d iterations: ", e.dataset, e.arch, e.method, e.levels, e.batchSize,
                         e.runs.count, e.runs.count == 1 ? "" : "s", e.iterations)
                  + one + String(format: "%.3f on %d", e.secondsPerIteration, e.cores) + parallel)
            print("    " + "cores".padding(toLength: 16, withPad: " ", startingAt: 0) + header)
            print("    " + line("wall per run", counts.map { e.secondsPerRun(cores: $0) }))
            print("    " + line("CPU per run", counts.map { k in e.secondsPerRun(cores: k).map { $0 * Double(k) } }))
        }
        func total(_ k: Int) -> Double? {
            let parts = estimates.map { e in e.secondsPerRun(cores: k).map { $0 * Double(e.runs.count) } }
            return parts.contains { $0 == nil } ? nil : parts.compactMap { $0 }.reduce(0, +)
        }
        print("  all \(plan.runs.count) runs, one after another")
        print("    " + "cores".padding(toLength: 16, withPad: " ", startingAt: 0) + header)
        print("    " + line("wall", counts.map(total)))
        print("    " + line("CPU", counts.map { k in total(k).map { $0 * Double(k) } }))
    }

    private func duration(_ seconds: Double) -> String {
        seconds < 90 ? String(format: "%.0f s", seconds) : seconds < 5400 ? String(format: "%.1f min", seconds / 60)
            : String(format: "%.1f h", seconds / 3600)
    }
}

/// `pmf sweep step-time`: one measured training iteration (`RunCost.measureIteration`), printed as
/// seconds; the child process `pmf sweep plan` starts with PMFKIT_THREADS=1 for its one-core figure.
struct SweepStepTimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "step-time",
        abstract: "Print the seconds of one training iteration on this process's workers (PMFKIT_THREADS).",
        shouldDisplay: false)

    @Option var arch: String
    @Option var dataset: String
    @Option var method: String
    @Option var levels = "binary"
    @Option(name: .customLong("batch-size")) var batchSize: String
    @Option var convolution = ConvolutionAlgorithm.winograd.rawValue

    func run() throws {
        var o = RunSpec.Overrides()
        for (key, text) in [(RunSpec.Key.arch, arch), (.dataset, dataset), (.method, method), (.levels, levels), (.batchSize, batchSize),
                            (.convolution, convolution)] {
            try o.set(key, to: text)
        }
        let (seconds, _) = try RunCost.measureIteration(try RunSpec().applying(o))
        print(seconds)
    }
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
        let runner = LocalRunner(sweepFolder: folder, binary: runningExecutable().path, jobs: jobs)
        let (queue, skipped, running) = runner.triage(plan)
        var report = Report(skipped: skipped, already_running: running)
        let bar = ProgressBar(label: "sweep")
        if !json { print("\(queue.count) runs to do (\(skipped.count) finished, \(running.count) running elsewhere), \(jobs) at a time") }
        let start = Date()
        (report.finished, report.failed) = try runner.run(queue) { event in
            switch event {
            case .progress(let done, let running):
                bar.report(done: done, total: queue.count, running: running)
            case .finished(let id, let done, let seconds, let result):
                bar.line(String(format: "[%d/%d] finished %@: test accuracy %.2f%% (%.1f s)", done, queue.count, id, 100 * result.testAccuracy, seconds))
            case .failed(let id, let done, let status, let last):
                bar.line("[\(done)/\(queue.count)] FAILED \(id) (exit status \(status)): \(last)")
            }
        }
        bar.finish()
        report.seconds = Date().timeIntervalSince(start)
        if json { return try printJSON(report) }
        print(String(format: "%d finished, %d failed, %d skipped in %.1f s", report.finished.count, report.failed.count, report.skipped.count, report.seconds))
        if !report.failed.isEmpty { throw CommandError("\(report.failed.count) runs failed; see pmf sweep status \(folder)") }
    }
}

struct SweepExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Replace this process with a run's pmf train command (used by the Slurm script).",
        discussion: "Trains RUN/config.json into RUN with the checkpoint interval the sweep's plan.json gives it, adding --resume RUN when RUN holds a checkpoint.")

    @Argument(help: "A run folder (DIR/runs/ID).") var runFolder: String

    func run() throws {
        let folder = URL(fileURLWithPath: runFolder).standardizedFileURL
        let sweep = folder.deletingLastPathComponent().deletingLastPathComponent().path
        guard let run = try SweepPlan(folder: sweep).runs.first(where: { $0.id == folder.lastPathComponent }) else {
            throw CommandError("\(folder.path): not a run of the sweep in \(sweep) (its plan.json does not name it); plan the sweep again")
        }
        let binary = runningExecutable().path
        let argv = RunFiles.launchArguments(for: run, binary: binary, sweep: sweep)
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
        guard let submission = try SlurmSubmission.write(sweepFolder: folder, binary: runningExecutable().path, partition: partition,
                                                         time: time, maxParallel: maxParallel, cpusPerTask: cpusPerTask) else {
            if json { return try printJSON(Report(script: nil, task_list: nil, tasks: [], job_id: nil)) }
            print("nothing to submit: every run of \(folder) is finished or running")
            return
        }
        let jobID = submit ? try submission.submit() : nil
        if json { return try printJSON(Report(script: submission.script.path, task_list: submission.taskList.path, tasks: submission.tasks, job_id: jobID)) }
        print("wrote \(submission.script.path): \(submission.tasks.count) array tasks (index → run id in \(submission.taskList.lastPathComponent))")
        if let jobID { print("submitted job \(jobID)") } else { print("submit with: sbatch \(submission.script.path)") }
    }
}

struct SweepStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Count finished, running, failed and pending runs; show each failure's last log lines.")

    @Argument(help: "The sweep folder.") var folder: String
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let plan = try SweepPlan(folder: folder)
        let status = SweepStatus(plan, folder: folder)
        if json { return try printJSON(status) }
        print("\(plan.runs.count) runs: " + RunStatus.allCases.map { "\(status.counts[$0.rawValue]!) \($0.rawValue)" }.joined(separator: ", "))
        for kind in RunStatus.allCases where !status.runs[kind.rawValue]!.isEmpty {
            print("\(kind.rawValue): " + status.runs[kind.rawValue]!.map { status.resumable.contains($0) ? "\($0) (resumable)" : $0 }.joined(separator: " "))
        }
        for failure in status.failures {
            print("--- \(failure.id) (last \(failure.logTail.count) log lines)")
            failure.logTail.forEach { print("    \($0)") }
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
        let text = try collection.write(in: URL(fileURLWithPath: folder, isDirectory: true), command: "pmf sweep collect \(folder)")
        if json { return try printJSON(collection) }
        print(latex ? text.latex : text.markdown, terminator: "")
    }
}
