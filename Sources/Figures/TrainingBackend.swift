import Foundation
import Quantization

/// How the figures train a run: `LibraryTraining` in this process, or a test's stand-in.
public protocol TrainingBackend: Sendable {
    /// Trains `config` into `folder`, leaving its `results.json` (`RunReport`) and `trace.dat`
    /// (`TraceFile`), with a checkpoint every `checkpointEvery` iterations; with `resume`, continues
    /// from the checkpoint in `folder`.
    /// - Throws: whatever stopped the run, as a one-line error.
    func train(_ config: RunConfig, in folder: URL, checkpointEvery: Int, resume: Bool) throws
}

/// Trains with the library's `TrainingJob`, in this process.
public struct LibraryTraining: TrainingBackend {
    /// The in-process backend.
    public init() {}

    public func train(_ config: RunConfig, in folder: URL, checkpointEvery: Int, resume: Bool) throws {
        let checkpoint = resume ? try Checkpoint.latest(in: folder.path) { _ in } : nil
        let job = TrainingJob(config: config, folder: folder, checkpointEvery: checkpointEvery, resume: checkpoint)
        _ = try job.run(on: try RunData(config))
    }
}
