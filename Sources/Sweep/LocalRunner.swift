import Foundation
import Support
#if canImport(Glibc)
import Glibc
#endif
import Gnuplot
import Quantization

/// What `LocalRunner.run` reports as it goes.
public enum LocalRunEvent: Sendable {
    /// A poll of the running processes: runs ended so far, runs going now.
    case progress(done: Int, running: Int)
    /// A run exited with status 0 and left its report, after `seconds`.
    case finished(id: String, done: Int, seconds: Double, report: RunReport)
    /// A run exited non-zero, was killed, or left no readable report; `lastLogLine` is the end of its log.
    case failed(id: String, done: Int, exitStatus: Int32, lastLogLine: String)
}

/// Runs a planned sweep's runs on this machine, `jobs` processes at a time. Each run is its
/// planned `pmf train` command (`RunFiles.launchArguments`: this binary, `--resume` when the run
/// folder holds a checkpoint), its standard output and error appended to the run's `log.txt`
/// after a header line; while it runs, `running.json` names its process; when it fails,
/// `failed.json` holds its exit status.
public struct LocalRunner: Sendable {
    /// The sweep folder (from `planSweep`).
    public var sweepFolder: String
    /// The `pmf` binary each run starts.
    public var binary: String
    /// Processes at once (≥ 1).
    public var jobs: Int

    public init(sweepFolder: String, binary: String, jobs: Int) {
        precondition(jobs >= 1, "a local sweep needs at least one worker")
        self.sweepFolder = sweepFolder
        self.binary = binary
        self.jobs = jobs
    }

    /// The plan's runs sorted by status: those to run now (pending or failed), those already
    /// finished, and those running elsewhere.
    public func triage(_ plan: SweepPlan) -> (toRun: [PlannedRun], finished: [String], running: [String]) {
        var toRun: [PlannedRun] = [], finished: [String] = [], running: [String] = []
        for run in plan.runs {
            switch RunFiles.status(of: RunFiles.folder(of: run.id, inSweep: sweepFolder).path) {
            case .finished: finished.append(run.id)
            case .running: running.append(run.id)
            case .failed, .pending: toRun.append(run)
            }
        }
        return (toRun, finished, running)
    }

    /// Runs `runs` in order, at most `jobs` at a time, until all have ended.
    /// - Returns: the ids that finished and those that failed, each in the order they ended.
    /// - Throws: `SweepError` when a process cannot be started or a run's folder cannot be written.
    public func run(_ runs: [PlannedRun], events: (LocalRunEvent) -> Void) throws -> (finished: [String], failed: [String]) {
        var queue = Array(runs.reversed())
        var active: [(pid: pid_t, id: String, folder: URL, start: Date)] = []
        var finished: [String] = [], failed: [String] = []
        while !queue.isEmpty || !active.isEmpty {
            while active.count < jobs, let run = queue.popLast() {
                let folder = RunFiles.folder(of: run.id, inSweep: sweepFolder)
                active.append((try start(run, in: folder), run.id, folder, Date()))
            }
            var progressed = false
            for (index, entry) in active.enumerated().reversed() {
                var status: Int32 = 0
                let result = waitpid(entry.pid, &status, WNOHANG)
                guard result == entry.pid || (result < 0 && errno == ECHILD) else { continue }
                active.remove(at: index)
                progressed = true
                try? FileManager.default.removeItem(at: entry.folder.appendingPathComponent(RunFiles.running))
                let exited = result == entry.pid && (status & 0x7f) == 0
                let code = exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                let done = finished.count + failed.count + 1
                if code == 0, let report = try? RunReport(contentsOf: entry.folder) {
                    finished.append(entry.id)
                    events(.finished(id: entry.id, done: done, seconds: Date().timeIntervalSince(entry.start), report: report))
                } else {
                    failed.append(entry.id)
                    try? writeJSON(["exit_status": Int(code)], to: entry.folder.appendingPathComponent(RunFiles.failed))
                    events(.failed(id: entry.id, done: done, exitStatus: code, lastLogLine: RunFiles.logTail(of: entry.folder.path, lines: 1).first ?? ""))
                }
            }
            if !progressed, !active.isEmpty { usleep(100_000) }
            events(.progress(done: finished.count + failed.count, running: active.count))
        }
        return (finished, failed)
    }

    /// Starts one run: clears its failure marker, appends the header to its log, starts the process
    /// and writes `running.json`.
    private func start(_ run: PlannedRun, in folder: URL) throws -> pid_t {
        let argv = RunFiles.launchArguments(for: run, binary: binary, sweep: sweepFolder)
        try? FileManager.default.removeItem(at: folder.appendingPathComponent(RunFiles.failed))
        let log = folder.appendingPathComponent(RunFiles.log)
        appendLine("=== \(ISO8601DateFormatter().string(from: Date())) \(argv.joined(separator: " "))", to: log)
        let pid = try spawn(argv, log: log.path)
        try writeJSON(RunFiles.RunningMarker(host: shortHostName(), pid: pid), to: folder.appendingPathComponent(RunFiles.running))
        return pid
    }
}

/// Appends `line` and a newline to the file at `url`, creating it when missing.
private func appendLine(_ line: String, to url: URL) {
    if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
    guard let handle = try? FileHandle(forWritingTo: url) else { return }
    handle.seekToEndOfFile()
    handle.write(Data((line + "\n").utf8))
    try? handle.close()
}

/// Starts `argv` (argv[0] an absolute path) with standard output and error appended to `log` and
/// standard input from `/dev/null`.
/// - Throws: `SweepError` when the process cannot be started.
private func spawn(_ argv: [String], log: String) throws -> pid_t {
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
    guard rc == 0 else { throw SweepError("cannot start \(argv[0]): \(String(cString: strerror(rc)))") }
    return pid
}

/// Writes `value` as one line of JSON (keys sorted) to `url`, atomically.
func writeJSON(_ value: some Encodable, to url: URL) throws {
    try writeAtomically(try jsonText(value) + "\n", to: url)
}
