import Foundation
import Quantization

/// How the figures train a run: `ProcessTraining` in `pmf train` child processes, or a test's stand-in.
public protocol TrainingBackend: Sendable {
    /// Runs it trains at once (≥ 1); `train` is called from that many threads.
    var concurrency: Int { get }

    /// Trains the spec `folder` holds (`RunFolder`: its `config.json`) into it, leaving its
    /// `results.json` (`RunReport`) and `trace.dat` (`TraceFile`), with a checkpoint every
    /// `checkpointEvery` iterations, continuing from the folder's checkpoint when it holds one.
    /// - Throws: whatever stopped the run, as a one-line error.
    func train(in folder: URL, checkpointEvery: Int) throws

    /// Seconds of one training iteration of `spec`, and whether its method evaluates a fractional
    /// network too: what the store's cost model (`RunCost`) extrapolates to a run's length.
    func iterationTime(_ spec: RunSpec) throws -> (seconds: Double, fractional: Bool)
}

/// Trains each run as `pmf train --run FOLDER/config.json --out FOLDER [--resume FOLDER]`
/// (`RunFolder.trainArguments`) in a child process on `threadsPerRun` workers, its output appended to `FOLDER/train.log`, up to `runs`
/// at once. A run trains to the same bits in a child as in any other `pmf train` process, whatever
/// its worker count; on this 2-core machine two single-worker runs at once finish a LeNet-300 pair
/// 1.6× sooner than one two-worker run after the other, since a step's small layers keep two workers
/// only partly busy.
public struct ProcessTraining: TrainingBackend {
    /// The `pmf` binary.
    public var executable: URL
    /// Runs at once.
    public var runs: Int
    /// `PMFKIT_THREADS` of each run.
    public var threadsPerRun: Int

    /// The file in a run folder that collects its process's output.
    public static let logFile = "train.log"

    /// A backend starting `executable`, `runs` processes at once with `threadsPerRun` workers each.
    public init(executable: URL, runs: Int, threadsPerRun: Int) {
        precondition(runs >= 1 && threadsPerRun >= 1, "ProcessTraining needs at least one run of one worker")
        self.executable = executable
        self.runs = runs
        self.threadsPerRun = threadsPerRun
    }

    public var concurrency: Int { runs }

    /// One iteration measured in this process (`RunCost.measureIteration`): on all its workers
    /// rather than a run's `threadsPerRun`, which scales every run's estimate alike.
    public func iterationTime(_ spec: RunSpec) throws -> (seconds: Double, fractional: Bool) {
        try RunCost.measureIteration(spec)
    }

    /// - Throws: `FigureError` with the exit status and the log's last line when the process cannot
    ///   start, fails, or leaves no readable `results.json`.
    public func train(in folder: URL, checkpointEvery: Int) throws {
        let log = folder.appendingPathComponent(Self.logFile)
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        let process = Process()
        process.executableURL = executable
        process.arguments = RunFolder.trainArguments(folder: folder, checkpointEvery: checkpointEvery)
        process.environment = ProcessInfo.processInfo.environment.merging(["PMFKIT_THREADS": String(threadsPerRun)]) { $1 }
        (process.standardOutput, process.standardError) = (handle, handle)
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw FigureError("cannot start \(executable.path): \(error)") }
        process.waitUntilExit()
        let exited = process.terminationReason == .exit
        if exited, process.terminationStatus == 0 {
            guard (try? RunReport(contentsOf: folder)) != nil else {
                throw FigureError("pmf train ended without error but left no readable results.json in \(folder.path) (log: \(log.path))")
            }
            return
        }
        let lines = (try? String(contentsOf: log, encoding: .utf8))?.split(whereSeparator: \.isNewline) ?? []
        throw FigureError("pmf train ended with \(exited ? "exit status" : "signal") \(process.terminationStatus): "
            + "\(lines.last.map(String.init) ?? "no output") (log: \(log.path))")
    }
}
