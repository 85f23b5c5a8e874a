import Foundation
import Quantization

/// Where every run of a planned sweep stands, read off the run folders (`pmf sweep status`).
public struct SweepStatus: Codable, Sendable {
    /// A failed run and the last lines of its log.
    public struct Failure: Codable, Sendable {
        public var id: String
        public var logTail: [String]

        enum CodingKeys: String, CodingKey { case id, logTail = "log_tail" }
    }

    /// Runs per `RunStatus` raw value (every status present, 0 when none).
    public var counts: [String: Int]
    /// Run ids per `RunStatus` raw value, in plan order.
    public var runs: [String: [String]]
    /// The failed runs with their last five log lines.
    public var failures: [Failure]
    /// Pending runs whose folder holds a checkpoint to resume from.
    public var resumable: [String]

    /// The status of every run of `plan` in the sweep folder `folder`.
    public init(_ plan: SweepPlan, folder: String) {
        runs = Dictionary(uniqueKeysWithValues: RunStatus.allCases.map { ($0.rawValue, []) })
        (failures, resumable) = ([], [])
        for run in plan.runs {
            let dir = RunFiles.folder(of: run.id, inSweep: folder).path
            let status = RunFiles.status(of: dir)
            runs[status.rawValue, default: []].append(run.id)
            if status == .failed { failures.append(Failure(id: run.id, logTail: RunFiles.logTail(of: dir, lines: 5))) }
            if status == .pending, RunFolder.hasCheckpoint(URL(fileURLWithPath: dir)) { resumable.append(run.id) }
        }
        counts = runs.mapValues(\.count)
    }
}
