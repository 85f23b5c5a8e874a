import RealModule

/// Batch normalisation over the last axis: BatchNorm1d on [N, F] and BatchNorm2d on NHWC images
/// (every axis but the channels is the batch).
///
/// Training: x̂ = (x − μ_B)/√(σ²_B + ε) with the batch mean and biased variance, y = γ x̂ + β when
/// `affine`; running statistics move by `momentum` towards μ_B and the unbiased variance (PyTorch's
/// convention). Evaluation uses the running statistics. γ starts at 1 and β at 0.
public final class BatchNorm: Layer {
    public let features: Int
    public let epsilon: Float
    public let momentum: Float
    public let weight: Parameter?
    public let bias: Parameter?
    public private(set) var runningMean: [Float]
    public private(set) var runningVariance: [Float]
    private var inverseDeviation: [Float]
    private var mean: [Float]
    private var gradientSum: [Float]
    private var gradientDot: [Float]
    private let normalized = Tensor(shape: [0])
    private let output = Tensor(shape: [0])
    private let inputGradient = Tensor(shape: [0])
    private var usedBatchStatistics = true

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
        inverseDeviation = Array(repeating: 1, count: features)
        mean = Array(repeating: 0, count: features)
        gradientSum = Array(repeating: 0, count: features)
        gradientDot = Array(repeating: 0, count: features)
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
        normalized.resize(to: x.shape)
        output.resize(to: x.shape)
        usedBatchStatistics = training
        let xs = x.data, xh = normalized.data, ys = output.data
        if training {
            precondition(rows > 1, "BatchNorm in training mode needs more than one value per feature")
            Kernels.columnSums(xs, rows: rows, columns: f, into: &mean)
            for j in 0 ..< f { mean[j] /= Float(rows) }
            // x̂ first holds x − μ so the variance is summed from centred values.
            for r in 0 ..< rows { for j in 0 ..< f { xh[r * f + j] = xs[r * f + j] - mean[j] } }
            for j in 0 ..< f { gradientDot[j] = 0 }
            for r in 0 ..< rows { for j in 0 ..< f { gradientDot[j] += xh[r * f + j] * xh[r * f + j] } }
            for j in 0 ..< f {
                let variance = gradientDot[j] / Float(rows)
                inverseDeviation[j] = 1 / (variance + epsilon).squareRoot()
                runningMean[j] += momentum * (mean[j] - runningMean[j])
                runningVariance[j] += momentum * (gradientDot[j] / Float(rows - 1) - runningVariance[j])
            }
            for r in 0 ..< rows { for j in 0 ..< f { xh[r * f + j] *= inverseDeviation[j] } }
        } else {
            for j in 0 ..< f { inverseDeviation[j] = 1 / (runningVariance[j] + epsilon).squareRoot() }
            for r in 0 ..< rows { for j in 0 ..< f { xh[r * f + j] = (xs[r * f + j] - runningMean[j]) * inverseDeviation[j] } }
        }
        if let weight, let bias {
            let g = weight.value.data, b = bias.value.data
            for r in 0 ..< rows { for j in 0 ..< f { ys[r * f + j] = g[j] * xh[r * f + j] + b[j] } }
        } else {
            ys.update(from: xh, count: x.count)
        }
        return output
    }

    /// ∂x = γ/σ · (∂y − mean(∂y) − x̂ · mean(∂y · x̂)) with batch statistics, γ/σ · ∂y with running ones.
    public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
        let f = features, rows = dy.count / f
        let dys = dy.data, xh = normalized.data
        Kernels.columnSums(dys, rows: rows, columns: f, into: &gradientSum)
        for j in 0 ..< f { gradientDot[j] = 0 }
        for r in 0 ..< rows { for j in 0 ..< f { gradientDot[j] += dys[r * f + j] * xh[r * f + j] } }
        if let weight, let bias {
            weight.gradient.assign(gradientDot)
            bias.gradient.assign(gradientSum)
        }
        guard needsInputGradient else { return nil }
        inputGradient.resize(to: dy.shape)
        let dx = inputGradient.data
        var scale = inverseDeviation
        if let weight { for j in 0 ..< f { scale[j] *= weight.value[j] } }
        if usedBatchStatistics {
            let n = Float(rows)
            for r in 0 ..< rows {
                for j in 0 ..< f {
                    let i = r * f + j
                    dx[i] = scale[j] * (dys[i] - gradientSum[j] / n - xh[i] * gradientDot[j] / n)
                }
            }
        } else {
            for r in 0 ..< rows { for j in 0 ..< f { dx[r * f + j] = scale[j] * dys[r * f + j] } }
        }
        return inputGradient
    }
}
