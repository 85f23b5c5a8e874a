/// The BatchNorm statistics every network `Trainer` evaluates (the quantized and the fractional one,
/// at each trace row and at the end) is normalised with — the evaluation protocol, one rule for every
/// method, REF included. Printed and parsed as `running` or `reestimate[batches=N]`.
public enum BatchNormEvaluation: Equatable, Sendable, CustomStringConvertible {
    /// The running statistics gathered during training, by the training-mode forward passes, under
    /// the weights the method trains with (the fractional w = u·q for PGD and PMF, the float w for
    /// ProxQuant), whatever weights are evaluated: what the reference code and ProxQuant's code do
    /// (`model.eval()` after writing the rounded weights). Evaluation never changes them.
    case running
    /// Statistics re-estimated for the weights being evaluated, over the first `batches` training
    /// batches (`BatchNormCalibration`). A method whose training-time weights differ from the ones
    /// it is evaluated with (ProxQuant's float w against its nearest levels; PGD and PMF's w = u·q
    /// before u reaches a vertex) then normalises the evaluated network with its own statistics.
    case reestimate(batches: Int)

    /// `running` or `reestimate[batches=N]`.
    public var description: String {
        switch self {
        case .running: "running"
        case .reestimate(let batches): "reestimate[batches=\(batches)]"
        }
    }
}

/// The networks each trace row validates. The quantized network is always validated (the best of
/// its rows is the one kept and tested); the fractional network of a method that has one (w = u·q,
/// ProxQuant's and BC's float w) is, at the end, always tested at the kept iteration. Printed and
/// parsed as its raw value.
public enum ValidatedNetworks: String, Equatable, Sendable, CaseIterable {
    /// The quantized network only: what the reference code logs every 100 iterations (it reports the
    /// fractional network's test accuracy at the end only). A trace row's fractional accuracy is NaN.
    case quantized
    /// The quantized and the fractional network, so the trace shows the gap between the two — twice
    /// the evaluation work for a method with a fractional network.
    case both
}

/// Statistics re-estimated for the weights a network is evaluated with (`BatchNormEvaluation.reestimate`):
/// the plain average of the batch means and unbiased batch variances over a fixed set of training
/// batches, forward passes in training mode with no gradient and no weight change (the "precise
/// BatchNorm" of the literature).
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
