import Foundation
import Support

/// The folder of one training run, as sweeps and figures keep it: the `RunSpec` it trains
/// (`config.json`), and what `pmf train --out` leaves there — `results.json` (`RunReport`, written
/// last, so its presence means finished), `trace.dat` and the checkpoints. One rule starts or
/// continues the run in a folder (`trainArguments`), whoever asks.
public enum RunFolder {
    /// The spec the folder's run trains.
    public static let specFile = "config.json"

    /// Writes `spec` as the folder's `config.json` (atomically), creating the folder.
    public static func write(_ spec: RunSpec, in folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try writeAtomically(spec.json + "\n", to: folder.appendingPathComponent(specFile))
    }

    /// The spec `folder` holds, or nil when it holds none or an unreadable one.
    public static func spec(in folder: URL) -> RunSpec? {
        try? RunSpec(contentsOf: folder.appendingPathComponent(specFile))
    }

    /// Whether `folder` holds a checkpoint to continue from (the latest or the one before it).
    public static func hasCheckpoint(_ folder: URL) -> Bool {
        [Checkpoint.fileName, Checkpoint.previousFileName].contains {
            FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path)
        }
    }

    /// Whether `folder` holds the finished run: a readable `results.json`.
    public static func isFinished(_ folder: URL) -> Bool {
        (try? RunReport(contentsOf: folder)) != nil
    }

    /// Where a folder stands against the spec it should train: the one up-to-date rule of sweeps
    /// and figures (what each does with a finished run of another spec is its own: a figure
    /// retrains it, a sweep keeps it and reports it).
    public enum Standing: Equatable, Sendable {
        /// No spec in the folder (no folder, or one an older build wrote without `config.json`).
        case empty
        /// The folder holds another spec and no finished run.
        case changed
        /// The folder holds this spec, not yet finished.
        case pending
        /// The folder holds this spec, finished.
        case finished
        /// The folder holds a finished run of another spec (or of none it recorded).
        case finishedOtherwise
    }

    /// Where `folder` stands against `spec`.
    public static func standing(of folder: URL, for spec: RunSpec) -> Standing {
        let recorded = self.spec(in: folder)
        if isFinished(folder) { return recorded == spec ? .finished : .finishedOtherwise }
        return recorded == nil ? .empty : recorded == spec ? .pending : .changed
    }

    /// The arguments of `pmf` that train the folder's spec into it, continuing from its checkpoint
    /// when it has one (`pmf train` then checks that the checkpoint was written by the same spec):
    /// `train --run F/config.json --out F [--resume F] [--checkpoint-every N]`.
    public static func trainArguments(folder: URL, checkpointEvery: Int?) -> [String] {
        ["train", "--run", folder.appendingPathComponent(specFile).path, "--out", folder.path]
            + (hasCheckpoint(folder) ? ["--resume", folder.path] : [])
            + (checkpointEvery.map { ["--checkpoint-every", String($0)] } ?? [])
    }
}
