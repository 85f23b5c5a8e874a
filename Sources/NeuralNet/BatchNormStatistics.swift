/// The BatchNorm statistics a network is evaluated with.
///
/// A method whose training-time weights differ from the weights it is evaluated with (ProxQuant's
/// float w against its nearest levels; PGD and PMF's w = u·q before u reaches a vertex) would
/// otherwise normalise the evaluated network with running statistics gathered under other weights.
/// Every evaluation in `Trainer` therefore first re-estimates them for the weights it evaluates:
/// the plain average of the batch means and unbiased batch variances over a fixed set of training
/// batches, forward passes in training mode with no gradient and no weight change (the "precise
/// BatchNorm" of the literature). The same rule holds for every method, REF included.
public struct BatchNormCalibration {
    /// The batches the statistics are averaged over: the first images of the training set, in
    /// index order, so the estimate does not depend on the run's random state.
    let loader: BatchLoader

    /// The first `batches` whole batches of `data` at `batchSize` (fewer when `data` is smaller;
    /// all of it as one batch when it holds less than one).
    public init(_ data: Dataset, batches: Int, batchSize: Int) {
        precondition(batches >= 1 && batchSize >= 2, "BatchNorm calibration needs at least one batch of two images")
        let whole = min(batches, max(1, data.count / batchSize))
        loader = BatchLoader(data.slice(0 ..< min(data.count, whole * batchSize)), batchSize: batchSize)
    }

    /// Replaces the running statistics of every `BatchNorm` in `model` by their average over the
    /// calibration batches with the parameters as they are; a network without BatchNorm is left alone.
    public func apply(to model: any Layer) {
        let norms = leafLayers(model).compactMap { $0 as? BatchNorm }
        guard !norms.isEmpty else { return }
        for norm in norms { norm.beginStatisticsEstimate() }
        for batch in 0 ..< loader.batchesPerEpoch {
            loader.load(batch: batch)
            _ = model.forward(loader.images, training: true)
        }
        for norm in norms { norm.endStatisticsEstimate() }
    }
}
