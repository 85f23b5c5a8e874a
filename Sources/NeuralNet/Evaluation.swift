/// Images per batch when a network is evaluated (`evaluate`, `accuracy(of:on:)`).
public let evaluationBatchSize = 250

/// Runs `model` in evaluation mode through its inference path (`Layer.infer`) over `data` in order,
/// in batches of `batchSize`, and calls `body(logits, labels)` with each batch's logits
/// ([B, classes], valid during the call) and labels. Every layer splits a batch's work across the
/// worker team as its training passes do, so the logits do not depend on the number of workers.
/// The activations live in one `Workspace`, released on return.
public func evaluate(_ model: any Layer, on data: Dataset, batchSize: Int = evaluationBatchSize, _ body: (Tensor, [Int32]) -> Void) {
    let loader = BatchLoader(data, batchSize: batchSize), workspace = Workspace()
    for batch in 0 ..< loader.batchesPerEpoch {
        loader.load(batch: batch)
        let logits = model.infer(loader.images, in: workspace)
        body(logits, loader.labels)
        workspace.giveBack(logits)
    }
}
