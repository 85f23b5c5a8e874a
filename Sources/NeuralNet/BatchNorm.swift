import RealModule

/// Batch normalisation over the last axis: BatchNorm1d on [N, F] and BatchNorm2d on NHWC images
/// (every axis but the channels is the batch).
///
/// Training: x̂ = (x − μ_B)/√(σ²_B + ε) with the batch mean and biased variance, y = γ x̂ + β when
/// `affine`; running statistics move by `momentum` towards μ_B and the unbiased variance (PyTorch's
/// convention). Evaluation uses the running statistics. γ starts at 1 and β at 0.
public final class BatchNorm: Layer {
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
    private let normalized = Tensor(shape: [0])
    private let output = Tensor(shape: [0])
    private let inputGradient = Tensor(shape: [0])
    private var usedBatchStatistics = true

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
    }

    public var description: String { "BatchNorm(\(features)\(weight == nil ? ", no affine" : ""))" }
    public var parameters: [Parameter] { [weight, bias].compactMap { $0 } }

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

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        _ = outputShape(for: x.shape)
        let f = features, rows = x.count / f
        if training { precondition(rows > 1, "BatchNorm in training mode needs more than one value per feature") }
        normalized.resize(to: x.shape)
        output.resize(to: x.shape)
        usedBatchStatistics = training
        let xs = x.data, xh = normalized.data, ys = output.data
        let mu = mean.data, inv = inverseDeviation.data, squares = gradientDot.data
        let gamma = weight?.value.data, shift = bias?.value.data
        let (epsilon, momentum, n) = (epsilon, momentum, Float(rows))
        runningMean.withUnsafeMutableBufferPointer { runningMean in
            runningVariance.withUnsafeMutableBufferPointer { runningVariance in
                let (rm, rv) = (runningMean.baseAddress!, runningVariance.baseAddress!)
                Kernels.forColumnRanges(rows: rows, columns: f) { features in
                    if training {
                        for j in features { (mu[j], squares[j]) = (0, 0) }
                        for r in 0 ..< rows {
                            let xr = xs + r * f
                            for j in features { mu[j] += xr[j] }
                        }
                        for j in features { mu[j] /= n }
                        // x̂ first holds x − μ so the variance is summed from centred values.
                        for r in 0 ..< rows {
                            let (xr, hr) = (xs + r * f, xh + r * f)
                            for j in features {
                                let centred = xr[j] - mu[j]
                                hr[j] = centred
                                squares[j] += centred * centred
                            }
                        }
                        for j in features {
                            inv[j] = 1 / (squares[j] / n + epsilon).squareRoot()
                            rm[j] += momentum * (mu[j] - rm[j])
                            rv[j] += momentum * (squares[j] / (n - 1) - rv[j])
                        }
                        for r in 0 ..< rows {
                            let hr = xh + r * f
                            for j in features { hr[j] *= inv[j] }
                        }
                    } else {
                        for j in features { (inv[j], mu[j]) = (1 / (rv[j] + epsilon).squareRoot(), rm[j]) }
                        for r in 0 ..< rows {
                            let (xr, hr) = (xs + r * f, xh + r * f)
                            for j in features { hr[j] = (xr[j] - mu[j]) * inv[j] }
                        }
                    }
                    for r in 0 ..< rows {
                        let (hr, yr) = (xh + r * f, ys + r * f)
                        if let gamma, let shift {
                            for j in features { yr[j] = gamma[j] * hr[j] + shift[j] }
                        } else {
                            for j in features { yr[j] = hr[j] }
                        }
                    }
                }
            }
        }
        return output
    }

    /// ∂x = γ/σ · (∂y − mean(∂y) − x̂ · mean(∂y · x̂)) with batch statistics, γ/σ · ∂y with running ones.
    public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
        let f = features, rows = dy.count / f
        inputGradient.resize(to: dy.shape)
        let dys = dy.data, xh = normalized.data, sum = gradientSum.data, dot = gradientDot.data
        let dx = inputGradient.data, k = scale.data, inv = inverseDeviation.data
        let gamma = weight?.value.data, gammaGradient = weight?.gradient.data, shiftGradient = bias?.gradient.data
        let (batchStatistics, n) = (usedBatchStatistics, Float(rows))
        Kernels.forColumnRanges(rows: rows, columns: f) { features in
            for j in features { (sum[j], dot[j]) = (0, 0) }
            for r in 0 ..< rows {
                let (dr, hr) = (dys + r * f, xh + r * f)
                for j in features {
                    sum[j] += dr[j]
                    dot[j] += dr[j] * hr[j]
                }
            }
            if let gammaGradient, let shiftGradient {
                for j in features { (gammaGradient[j], shiftGradient[j]) = (dot[j], sum[j]) }
            }
            guard needsInputGradient else { return }
            for j in features { (k[j], sum[j], dot[j]) = (inv[j] * (gamma?[j] ?? 1), sum[j] / n, dot[j] / n) }
            for r in 0 ..< rows {
                let (dr, hr, xr) = (dys + r * f, xh + r * f, dx + r * f)
                if batchStatistics {
                    for j in features { xr[j] = k[j] * (dr[j] - sum[j] - hr[j] * dot[j]) }
                } else {
                    for j in features { xr[j] = k[j] * dr[j] }
                }
            }
        }
        return needsInputGradient ? inputGradient : nil
    }
}
