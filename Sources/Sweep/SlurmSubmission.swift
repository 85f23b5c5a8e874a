import Foundation
import Gnuplot
import Support

/// A generated Slurm job array for a sweep's unfinished runs: the script `SWEEP/sweep.sbatch`,
/// its task list `SWEEP/sweep-N.tasks` (a new list per script, so tasks of an older job still
/// queued keep their own mapping) and the `logs/` folder the tasks write to.
public struct SlurmSubmission: Sendable {
    /// The written script.
    public var script: URL
    /// The written task list: line i + 1 names the run of array index i.
    public var taskList: URL
    /// The run ids, in array-index order.
    public var tasks: [String]

    /// Writes the script (`slurmScript`, with `binary`, `partition`, `time`, `maxParallel` and
    /// `cpusPerTask` as `SlurmSettings` describes them) and the task list for the pending and failed
    /// runs of the sweep in `sweepFolder`; nil when no run is left to submit.
    /// - Throws: `SweepError` for an unreadable plan, or a file error.
    public static func write(sweepFolder: String, binary: String, partition: String?, time: String?, maxParallel: Int?,
                             cpusPerTask: Int) throws -> SlurmSubmission? {
        let sweep = URL(fileURLWithPath: sweepFolder, isDirectory: true).standardizedFileURL
        let plan = try SweepPlan(folder: sweep.path)
        let tasks = plan.runs.map(\.id).filter {
            let status = RunFiles.status(of: RunFiles.folder(of: $0, inSweep: sweep.path).path)
            return status == .pending || status == .failed
        }
        guard !tasks.isEmpty else { return nil }
        var number = 1
        while FileManager.default.fileExists(atPath: sweep.appendingPathComponent("sweep-\(number).tasks").path) { number += 1 }
        let settings = SlurmSettings(sweepFolder: sweep.path, binary: binary, taskCount: tasks.count, partition: partition, time: time,
                                     maxParallel: maxParallel, cpusPerTask: cpusPerTask, taskList: "sweep-\(number).tasks")
        try FileManager.default.createDirectory(at: sweep.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let taskList = sweep.appendingPathComponent(settings.taskList)
        try writeAtomically(tasks.joined(separator: "\n") + "\n", to: taskList)
        let script = sweep.appendingPathComponent(SlurmSettings.scriptName)
        try writeAtomically(slurmScript(settings), to: script)
        chmod(script.path, 0o755)
        return SlurmSubmission(script: script, taskList: taskList, tasks: tasks)
    }

    /// Submits the script with `sbatch --parsable` and returns the job id.
    /// - Throws: `SweepError` when `sbatch` is not on `PATH` or fails (with its message).
    public func submit() throws -> String {
        guard let sbatch = findExecutable("sbatch") else { throw SweepError("sbatch is not on PATH; run this on a Slurm login node, or drop --submit") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sbatch)
        process.arguments = ["--parsable", script.path]
        let out = Pipe(), err = Pipe()
        (process.standardOutput, process.standardError) = (out, err)
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errorText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SweepError("sbatch failed (status \(process.terminationStatus)): \(errorText.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return String(text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first ?? "")
    }
}
