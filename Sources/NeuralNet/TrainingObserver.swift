/// Watches a training run step by step (`Trainer.run`'s `observer`): the cross-check's record of
/// every step's loss and, now and then, the whole state (docs/crosscheck.md).
public protocol TrainingObserver: AnyObject {
    /// Epoch `epoch` (0-based) starts; its batches take the training images in `order`.
    func epochStarts(_ epoch: Int, order: [Int]) throws
    /// `iterations` steps are done; `loss` is the last one's batch loss (NaN when the call comes
    /// before the run's first step). `state()` copies the trainer's state (every tensor: call it only
    /// when needed). Throwing stops the run with that error.
    func stepsDone(_ iterations: Int, loss: Float, state: () -> TrainerState) throws
}
