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

    /// The arguments of `pmf` that train the folder's spec into it, continuing from its checkpoint
    /// when it has one (`pmf train` then checks that the checkpoint was written by the same spec):
    /// `train --run F/config.json --out F [--resume F] [--checkpoint-every N]`.
    public static func trainArguments(folder: URL, checkpointEvery: Int?) -> [String] {
        ["train", "--run", folder.appendingPathComponent(specFile).path, "--out", folder.path]
            + (hasCheckpoint(folder) ? ["--resume", folder.path] : [])
            + (checkpointEvery.map { ["--checkpoint-every", String($0)] } ?? [])
    }
}
