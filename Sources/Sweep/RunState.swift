import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Quantization
import Support

/// Where a run stands, read off its folder.
public enum RunStatus: String, Codable, Sendable, CaseIterable {
    /// `results.json` holds the run's report (`RunFolder.isFinished`).
    case finished
    /// `running.json` names a live process (or a Slurm task the scheduler still has).
    case running
    /// `failed.json` exists: the last attempt exited non-zero.
    case failed
    /// None of these (never started, or interrupted: resumes from `checkpoint.bin` if there is one).
    case pending
}

/// The files a sweep keeps in a run folder beside the `RunFolder`'s own (spec, report, trace,
/// checkpoints), and what they say about the run.
public enum RunFiles {
    /// Standard output and error of every attempt, appended.
    public static let log = "log.txt"
    /// `{"host", "pid", "slurm_job"?}` while an attempt runs.
    public static let running = "running.json"
    /// `{"exit_status", …}` after an attempt that failed.
    public static let failed = "failed.json"

    /// The folder of run `id` in the sweep folder `sweep`: `SWEEP/runs/ID`.
    public static func folder(of id: String, inSweep sweep: String) -> URL {
        URL(fileURLWithPath: sweep, isDirectory: true).appendingPathComponent("runs/\(id)", isDirectory: true).standardizedFileURL
    }

    /// The status of the run in `folder`. A `running.json` left by a process on this host that no
    /// longer exists, or by a Slurm task the scheduler no longer knows (when `squeue` is on
    /// `PATH`), means the attempt was interrupted: the run is pending again.
    public static func status(of folder: String) -> RunStatus {
        let manager = FileManager.default
        func has(_ name: String) -> Bool { manager.fileExists(atPath: (folder as NSString).appendingPathComponent(name)) }
        if RunFolder.isFinished(URL(fileURLWithPath: folder, isDirectory: true)) { return .finished }
        if let marker = runningMarker(in: folder), marker.isAlive { return .running }
        if has(failed) { return .failed }
        return .pending
    }


    /// The last `count` lines of the run's log (empty when there is none).
    public static func logTail(of folder: String, lines count: Int = 5) -> [String] {
        guard let data = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent(log)) else { return [] }
        // Progress bars redraw with carriage returns; keep what the last redraw left.
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
            .map { String($0.split(separator: "\r").last ?? "") }
            .filter { !$0.isEmpty }
        return Array(lines.suffix(count))
    }

    /// The argv that (re)starts `run` in its folder under the sweep folder `sweep`: `binary` and
    /// `RunFolder.trainArguments` (its spec, continued from its checkpoint when it has one).
    public static func launchArguments(for run: PlannedRun, binary: String, sweep: String) -> [String] {
        [binary] + RunFolder.trainArguments(folder: folder(of: run.id, inSweep: sweep), checkpointEvery: run.checkpointEvery)
    }

    /// `running.json` as written by the local runner and the Slurm script.
    public struct RunningMarker: Codable, Sendable {
        public var host: String
        public var pid: Int32
        public var slurm_job: String?

        public init(host: String, pid: Int32, slurmJob: String? = nil) {
            self.host = host
            self.pid = pid
            self.slurm_job = slurmJob
        }

        /// Whether the attempt it names is still going.
        public var isAlive: Bool {
            if let job = slurm_job, !job.isEmpty, let answer = slurmTaskState(job) { return answer }
            guard host == shortHostName() else { return true }   // another machine: trust the marker
            return kill(pid, 0) == 0 || errno == EPERM
        }
    }

    /// Reads `running.json`, if any.
    public static func runningMarker(in folder: String) -> RunningMarker? {
        guard let data = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent(running)) else { return nil }
        return try? jsonDecoder().decode(RunningMarker.self, from: data)
    }

    /// Whether Slurm still runs (or has queued) the task `JOB_INDEX`; `nil` when `squeue` is unavailable.
    static func slurmTaskState(_ task: String) -> Bool? {
        guard let squeue = findExecutable("squeue") else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: squeue)
        process.arguments = ["-h", "-o", "%T", "-j", task]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return false }
        let state = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return ["RUNNING", "PENDING", "CONFIGURING", "COMPLETING", "REQUEUED", "RESIZING", "SUSPENDED"].contains(state)
    }
}

/// This machine's host name up to the first dot (what `hostname -s` prints).
public func shortHostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
    let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return String(name.prefix { $0 != "." })
}

/// The absolute path of `name` found on `PATH`, or `nil`.
public func findExecutable(_ name: String) -> String? {
    if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for folder in path.split(separator: ":") {
        let candidate = "\(folder)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}
