import Foundation

/// What a training run can take and give beside its settings so that another implementation can
/// replay it step by step (docs/crosscheck.md): a given start, a given batch order and a record.
///
/// These are options of one job, not part of its `RunSpec`: they are instruments, and a
/// checkpoint does not store them, so `pmf train` refuses them with `--resume`. The start and the
/// batch order do change what a run computes; a run made with them is described by its settings
/// together with those files.
public struct ReplayOptions: Sendable {
    /// The method's state to start from, as `StateFiles` (`--init DIR`), instead of the seeded
    /// initialisation.
    public var initFolder: URL?
    /// Each epoch's batch order, as `BatchOrderFile` (`--batch-order FILE`), instead of the seeded shuffle.
    public var batchOrder: URL?
    /// Where to write the batch orders the run used at its end (`--write-batch-order FILE`).
    public var writeBatchOrder: URL?
    /// The folder of a `RunRecorder` record (`--record DIR`).
    public var record: URL?
    /// Steps between recorded states (`--record-every K`, default 100).
    public var recordEvery = 100

    /// No replay options.
    public init() {}

    /// Whether the run needs a `RunRecorder`.
    var observes: Bool { record != nil || writeBatchOrder != nil }
}
