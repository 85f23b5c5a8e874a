import CKernels
import RealModule

/// Batch normalisation over the last axis: BatchNorm1d on [N, F] and BatchNorm2d on NHWC images
/// (every axis but the channels is the batch).
///
/// Training: x̂ = (x − μ_B)/√(σ²_B + ε) with the batch mean and biased variance, y = γ x̂ + β when
/// `affine`; running statistics move by `momentum` towards μ_B and the unbiased variance (PyTorch's
/// convention). Evaluation uses the running statistics. γ starts at 1 and β at 0. Without γ and β
/// the output is x̂ itself, the buffer `backward` reads.
///
/// Between `beginStatisticsEstimate()` and `endStatisticsEstimate()` the running statistics are
/// instead the plain average of the batch means and unbiased batch variances of the training-mode
/// forward passes since the call (PyTorch's `momentum=None`): `estimateBatchNormStatistics`
/// uses it to give a network the statistics of its own weights.
public final class BatchNorm: Layer, OverwritingLayer {
    /// Number of normalised features (channels).
    public let features: Int
    /// ε added to the variance before the square root.
    public let epsilon: Float
    /// Weight of the new batch statistic in the running averages (PyTorch's convention, 0.1 by default).
    public let momentum: Float
    /// γ, shape [features], when affine.
    public let weight: Parameter?
    /// β, shape [features], when affine.
    public let bias: Parameter?
    /// Running mean per feature, used in evaluation.
    public private(set) var runningMean: [Float]
    /// Running unbiased variance per feature, used in evaluation.
    public private(set) var runningVariance: [Float]
    // Per-feature work buffers: 1/σ, μ, Σ∂y and Σ∂y·x̂ (the latter also holds Σ(x−μ)² in forward).
    private let inverseDeviation: Tensor
    private let mean: Tensor
    private let gradientSum: Tensor
    private let gradientDot: Tensor
    private let scale: Tensor
    /// The per-feature vectors tiled to whole SIMD blocks (see `ColumnTiling`): mean, scale, γ, β,
    /// mean(∂y), mean(∂y·x̂), P floats each.
    private let tiling: ColumnTiling
    private let tiled: Tensor
    /// x̂ of the last forward pass: `ownNormalized`, or the input itself when the pass overwrote it.
    private var normalized: Tensor
    private let ownNormalized = Tensor(shape: [0])
    /// y = γ x̂ + β when affine.
    private let output = Tensor(shape: [0])
    private var usedBatchStatistics = true
    /// Training-mode passes averaged so far while estimating, or nil when the running statistics
    /// move by `momentum`.
    private var estimatedBatches: Int?

    /// BatchNorm over `features` channels; `affine: false` drops γ and β (the paper's VGG/ResNet setting).
    public init(_ features: Int, affine: Bool = true, epsilon: Float = 1e-5, momentum: Float = 0.1) {
        precondition(features > 0, "BatchNorm needs a positive feature count")
        self.features = features
        self.epsilon = epsilon
        self.momentum = momentum
        weight = affine ? Parameter(role: "weight", shape: [features]) : nil
        bias = affine ? Parameter(role: "bias", shape: [features]) : nil
        weight?.value.assign(Array(repeating: 1, count: features))
        runningMean = Array(repeating: 0, count: features)
        runningVariance = Array(repeating: 1, count: features)
        inverseDeviation = Tensor(shape: [features], repeating: 1)
        mean = Tensor(shape: [features])
        gradientSum = Tensor(shape: [features])
        gradientDot = Tensor(shape: [features])
        scale = Tensor(shape: [features])
        tiling = ColumnTiling(columns: features)
        tiled = Tensor(shape: [6, tiling.period])
        normalized = ownNormalized
    }

    public var description: String { "BatchNorm(\(features)\(weight == nil ? ", no affine" : ""))" }
    public var parameters: [Parameter] { [weight, bias].compactMap { $0 } }
    /// Without γ and β the output is x̂, which `backward` reads.
    public var keepsOutput: Bool { weight == nil }

    public func outputShape(for input: [Int]) -> [Int] {
        precondition(input.last == features, "\(description) got input of shape \(input)")
        return input
    }

    /// Restores saved running statistics (checkpoints, exports).
    public func setRunningStatistics(mean: [Float], variance: [Float]) {
        precondition(mean.count == features && variance.count == features, "running statistics of the wrong size")
        runningMean = mean
        runningVariance = variance
    }

    /// Starts averaging: the next training-mode pass replaces the running statistics, the k-th
    /// moves them by 1/k towards its own.
    public func beginStatisticsEstimate() { estimatedBatches = 0 }

    /// Returns to running averages with `momentum` (the estimate stays as the running statistics).
    public func endStatisticsEstimate() { estimatedBatches = nil }

    /// Moves the running statistics towards one training batch's mean μ_B (`mean`, F floats) and
    /// unbiased variance (`unbiasedVariance(j)` for feature j): by `momentum`, or by 1/k for the
    /// k-th batch of an estimate (also used by `ConvolutionBlock`, which computes a batch's
    /// statistics itself).
    func updateRunningStatistics(mean mu: UnsafePointer<Float>, unbiasedVariance: (Int) -> Float) {
        var weight = momentum
        if let k = estimatedBatches {
            estimatedBatches = k + 1
            weight = 1 / Float(k + 1)
        }
        for j in 0 ..< features {
            runningMean[j] += weight * (mu[j] - runningMean[j])
            runningVariance[j] += weight * (unbiasedVariance(j) - runningVariance[j])
        }
    }

    public func forward(_ x: Tensor, training: Bool, in workspace: Workspace) -> Tensor {
        forward(x, training: training, in: workspace, overwriting: false)
    }

    func forward(_ x: Tensor, training: Bool, in workspace: Workspace, overwriting: Bool) -> Tensor {
        _ = outputShape(for: x.shape)
        let f = features, rows = x.count / f, count = x.count
        if training { precondition(rows > 1, "BatchNorm in training mode needs more than one value per feature") }
        normalized = overwriting ? x : ownNormalized
        normalized.resize(to: x.shape)
        let affine = weight != nil
        if affine { output.resize(to: x.shape) }
        usedBatchStatistics = training
        let xs = x.data, xh = normalized.data, ys = output.data
        let mu = mean.data, inv = inverseDeviation.data, squares = gradientDot.data, n = Float(rows)
        let period = tiling.period
        let (tMean, tScale, tGamma, tBeta) = (tiled.data, tiled.data + period, tiled.data + 2 * period, tiled.data + 3 * period)
        if training {
            tiling.sum(count: count, into: mu) { offset, length, sum in ck_tiled_sum(xs + offset, sum, length, period) }
            for j in 0 ..< f { mu[j] /= n }
            tiling.tile(mu, into: tMean)
            // x̂ first holds x − μ so the variance is summed from centred values (x itself is read no more).
            tiling.sum(count: count, into: squares) { offset, length, sum in
                ck_tiled_centre(xs + offset, tMean, xh + offset, sum, length, period)
            }
            for j in 0 ..< f { inv[j] = 1 / (squares[j] / n + epsilon).squareRoot() }
            tiling.tile(inv, into: tScale)
            updateRunningStatistics(mean: mu) { squares[$0] / (n - 1) }
        } else {
            inv.update(from: tileRunningStatistics().scale, count: f)
        }
        if let weight, let bias {
            tiling.tile(weight.value.data, into: tGamma)
            tiling.tile(bias.value.data, into: tBeta)
        }
        tiling.forEachChunk(count: count) { offset, length in
            let (x, h, y) = (xs + offset, xh + offset, ys + offset)
            if training {
                ck_tiled_multiply(tScale, h, h, length, period)
            } else {
                ck_tiled_standardize(x, tMean, tScale, h, length, period, 0)
            }
            if affine { ck_tiled_affine(h, tGamma, tBeta, y, length, period) }
        }
        return affine ? output : normalized
    }

    public func infer(_ x: Tensor, in workspace: Workspace) -> Tensor { infer(x, rectified: false, in: workspace) }

    /// The evaluation-mode output, followed by ReLU when `rectified`: BatchNorm → ReLU in one pass
    /// (`Sequential`'s inference path), the values of the two layers one after the other.
    func infer(_ x: Tensor, rectified: Bool, in workspace: Workspace) -> Tensor {
        _ = outputShape(for: x.shape)
        let y = workspace.take(x.shape), (xs, ys) = (x.data, y.data)
        let (mean, scale, period) = tileRunningStatistics()
        var affine: (gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>)?
        if let weight, let bias {
            let (gamma, beta) = (tiled.data + 2 * period, tiled.data + 3 * period)
            tiling.tile(weight.value.data, into: gamma)
            tiling.tile(bias.value.data, into: beta)
            affine = (UnsafePointer(gamma), UnsafePointer(beta))
        }
        tiling.forEachChunk(count: x.count) { offset, length in
            let (x, y) = (xs + offset, ys + offset)
            guard let affine else { return ck_tiled_standardize(x, mean, scale, y, length, period, rectified ? 1 : 0) }
            ck_tiled_standardize(x, mean, scale, y, length, period, 0)
            ck_tiled_affine(y, affine.gamma, affine.beta, y, length, period)
            if rectified { ck_relu(y, y, length) }
        }
        return y
    }

    /// The running statistics as evaluation uses them, μ and a = 1/√(σ² + ε) per feature, tiled
    /// (see `ColumnTiling`: P = `period` floats each, feature j at every r·F + j) into the layer's
    /// work buffer; valid until the layer's next pass.
    func tileRunningStatistics() -> (mean: UnsafePointer<Float>, scale: UnsafePointer<Float>, period: Int) {
        let period = tiling.period, (mean, scale) = (tiled.data, tiled.data + period)
        for slot in stride(from: 0, to: period, by: features) {
            for j in 0 ..< features {
                mean[slot + j] = runningMean[j]
                scale[slot + j] = 1 / (runningVariance[j] + epsilon).squareRoot()
            }
        }
        return (UnsafePointer(mean), UnsafePointer(scale), period)
    }

    /// ∂x = γ/σ · (∂y − mean(∂y) − x̂ · mean(∂y · x̂)) with batch statistics, γ/σ · ∂y with running ones.
    public func backward(_ dy: Tensor, needsInputGradient: Bool, in workspace: Workspace) -> Tensor? {
        let f = features, rows = dy.count / f, count = dy.count
        let dys = dy.data, xh = normalized.data, sum = gradientSum.data, dot = gradientDot.data
        let period = tiling.period
        tiling.sum(count: count, into: sum, dot) { offset, length, sums in
            ck_tiled_gradient_sums(dys + offset, xh + offset, sums, sums + period, length, period, 0)
        }
        if let weight, let bias {
            weight.gradient.data.update(from: dot, count: f)
            bias.gradient.data.update(from: sum, count: f)
        }
        guard needsInputGradient else { return nil }
        let inputGradient = workspace.take(dy.shape)
        let dx = inputGradient.data, k = scale.data, inv = inverseDeviation.data, n = Float(rows)
        for j in 0 ..< f { (k[j], sum[j], dot[j]) = (inv[j] * (weight?.value[j] ?? 1), sum[j] / n, dot[j] / n) }
        let (tScale, tSum, tDot) = (tiled.data + period, tiled.data + 4 * period, tiled.data + 5 * period)
        tiling.tile(k, into: tScale)
        tiling.tile(sum, into: tSum)
        tiling.tile(dot, into: tDot)
        let batchStatistics = usedBatchStatistics
        tiling.forEachChunk(count: count) { offset, length in
            if batchStatistics {
                ck_tiled_normalized_gradient(dys + offset, xh + offset, nil, nil, tScale, tSum, tDot, dx + offset, length, period)
            } else {
                ck_tiled_multiply(tScale, dys + offset, dx + offset, length, period)
            }
        }
        return inputGradient
    }
}
