import CKernels
import Simplex
import Support

/// Convolution → BatchNorm without γ and β → ReLU → max pooling, run as one layer over the four
/// layers' own parameters and running statistics (`Sequential` runs such sequences through it).
///
/// Training-mode forward, in each of the convolution's chunks a group of images at a time while the group's convolution
/// output y is still in cache (`Conv2d.forward(_:into:eachGroup:)`): the group's per-channel mean
/// and squared deviations, combined over the groups in `ChannelMoments`, and the max-pool of y
/// itself with its winners. Normalising without γ is x̂ = (y − μ)·a with a = 1/√(σ² + ε) > 0, and
/// it and ReLU are non-decreasing (so are their rounded float forms), hence
/// max_window ReLU(x̂(y)) = ReLU(x̂(max_window y)): the block then normalises and rectifies only the
/// pooled y, a quarter of y. μ, σ² are the batch mean and biased variance, and the running
/// statistics are updated as `BatchNorm` does.
///
/// Backward: with z = ReLU(x̂) and p the pooled output, ∂z is ∂p at the winners where p > 0 and
/// zero elsewhere, and x̂ = p there, so BatchNorm's sums Σ∂z and Σ∂z·x̂ are sums over the pooled
/// output. Each group's ∂y = a·(∂z − mean ∂z − x̂·mean(∂z·x̂)) is formed, in a per-chunk buffer taken from the
/// workspace, by the thread that runs its chunk just before the convolution's backward pass uses it
/// (`Conv2d.backward(needsInputGradient:in:gradient:)`), in one
/// pass over the group's windows (`ck_pool_normalized_gradient`; the windows do not overlap, so each
/// input of y is the winner of at most one).
///
/// The results equal the four layers' up to the rounding of the statistics' sums (taken in another
/// order) and, where two inputs of a window normalise to the same float, which one receives the
/// gradient. Evaluation-mode passes, and the backward pass after one, run the four layers themselves;
/// `infer` is their fused evaluation (`ConvolutionInference`).
final class ConvolutionBlock: Layer {
    let conv: Conv2d
    let norm: BatchNorm
    let relu: ReLU
    let pool: MaxPool2d
    /// Whether the last forward pass was the fused training pass.
    private var fused = false
    private var inputShape: [Int] = []
    /// y = conv(x), [N, H', W', O].
    private let convolved = Tensor(shape: [0])
    private let output = Tensor(shape: [0])
    private var winners: [Int32] = []
    /// Per-channel work on rows of O floats (see `ColumnTiling`).
    private let tiling: ColumnTiling
    /// μ and a tiled to P floats each, then mean ∂z, mean ∂z·x̂, μ and a per channel.
    private let statistics: Tensor
    /// Per chunk: a tiled accumulator, a tiled group mean, and the group's sums and squared deviations per channel.
    private let scratch: Tensor
    /// Per chunk: the moments of the groups it convolved.
    private let parts: UnsafeMutablePointer<ChannelMoments>

    /// The block for `layers` when they start with Conv2d, BatchNorm without affine parameters over
    /// the convolution's channels, ReLU and MaxPool2d with windows that do not overlap (stride =
    /// kernel); nil otherwise.
    init?(_ layers: ArraySlice<any Layer>) {
        guard layers.count >= 4 else { return nil }
        let start = layers.startIndex
        guard let conv = layers[start] as? Conv2d, let norm = layers[start + 1] as? BatchNorm,
              let relu = layers[start + 2] as? ReLU, let pool = layers[start + 3] as? MaxPool2d,
              norm.weight == nil, norm.features == conv.outChannels, pool.stride == pool.kernel else { return nil }
        (self.conv, self.norm, self.relu, self.pool) = (conv, norm, relu, pool)
        let channels = conv.outChannels
        tiling = ColumnTiling(columns: channels)
        statistics = Tensor(shape: [2 * tiling.period + 4 * channels])
        scratch = Tensor(shape: [imageChunks, 2 * tiling.period + 2 * channels])
        parts = .allocate(capacity: imageChunks)
        parts.initialize(repeating: ChannelMoments(channels: channels), count: imageChunks)
    }

    deinit {
        parts.deinitialize(count: imageChunks)
        parts.deallocate()
    }

    var description: String { "ConvolutionBlock(\(conv.description), \(norm.description), ReLU, \(pool.description))" }

    func outputShape(for input: [Int]) -> [Int] { pool.outputShape(for: conv.outputShape(for: input)) }

    func forward(_ x: Tensor, training: Bool, in workspace: Workspace) -> Tensor {
        fused = training
        guard training else {
            let layers: [any Layer] = [conv, norm, relu, pool]
            return layers.reduce(x) { $1.forward($0, training: false, in: workspace) }
        }
        inputShape = x.shape
        let convShape = conv.outputShape(for: x.shape), rows = convShape[0] * convShape[1] * convShape[2]
        precondition(rows > 1, "BatchNorm in training mode needs more than one value per feature")
        convolved.resize(to: convShape)
        output.resize(to: pool.outputShape(for: convShape))
        if winners.count < output.count { winners = Array(repeating: 0, count: output.count) }
        let (channels, period, tiling, pool, parts) = (conv.outChannels, tiling.period, tiling, pool, parts)
        let rowsPerImage = convShape[1] * convShape[2], (y, p) = (convolved.data, output.data)
        let (scratch, scratchStride) = (scratch.data, scratch.shape[1])
        for chunk in 0 ..< imageChunks { parts[chunk].reset() }
        winners.withUnsafeMutableBufferPointer { buffer in
            let best = buffer.baseAddress!
            conv.forward(x, into: y, in: workspace) { chunk, images, groupRows in
                let count = images.count * rowsPerImage * channels, n = Float(images.count * rowsPerImage)
                let s = scratch + chunk * scratchStride
                let (accumulator, tiledMean, means, squares) = (s, s + period, s + 2 * period, s + 2 * period + channels)
                Kernels.fill(accumulator, 0, count: period)
                ck_tiled_sum(groupRows, accumulator, count, period)
                Kernels.fill(means, 0, count: channels)
                tiling.addFolded(accumulator, into: means)
                for j in 0 ..< channels { means[j] /= n }
                tiling.tile(means, into: tiledMean)
                Kernels.fill(accumulator, 0, count: period)
                ck_tiled_centre(groupRows, tiledMean, nil, accumulator, count, period)
                Kernels.fill(squares, 0, count: channels)
                tiling.addFolded(accumulator, into: squares)
                parts[chunk].add(rows: images.count * rowsPerImage, mean: { Double(means[$0]) }, squares: { Double(squares[$0]) })
                pool.pool(y, shape: convShape, images: images, into: p, winners: best)
            }
        }
        var total = parts[0]
        for chunk in 1 ..< imageChunks { total.add(parts[chunk]) }
        let n = Double(rows), stats = statistics.data, (mu, inverse) = (stats + 2 * period + 2 * channels, stats + 2 * period + 3 * channels)
        for j in 0 ..< channels {
            mu[j] = Float(total.mean[j])
            inverse[j] = 1 / (Float(total.squares[j] / n) + norm.epsilon).squareRoot()
        }
        norm.updateRunningStatistics(mean: mu) { Float(total.squares[$0] / (n - 1)) }
        let (tiledMean, tiledInverse) = (stats, stats + period)
        tiling.tile(mu, into: tiledMean)
        tiling.tile(inverse, into: tiledInverse)
        tiling.forEachChunk(count: output.count) { offset, length in
            ck_tiled_standardize(p + offset, tiledMean, tiledInverse, p + offset, length, period, 1)
        }
        return output
    }

    func infer(_ x: Tensor, in workspace: Workspace) -> Tensor {
        ConvolutionInference([conv, norm, relu, pool][...])!.infer(x, in: workspace)
    }

    func backward(_ dp: Tensor, needsInputGradient: Bool, in workspace: Workspace) -> Tensor? {
        guard fused else {
            var gradient = pool.backward(dp, needsInputGradient: true, in: workspace)!
            for layer in [relu, norm] as [any Layer] {
                let next = layer.backward(gradient, needsInputGradient: true, in: workspace)!
                workspace.giveBack(gradient)
                gradient = next
            }
            defer { workspace.giveBack(gradient) }
            return conv.backward(gradient, needsInputGradient: needsInputGradient, in: workspace)
        }
        let channels = conv.outChannels, period = tiling.period, tiling = tiling
        let stats = statistics.data, (sum, dot) = (stats + 2 * period, stats + 2 * period + channels)
        let (dps, p, y) = (dp.data, output.data, convolved.data)
        tiling.sum(count: dp.count, into: sum, dot) { offset, length, sums in
            ck_tiled_gradient_sums(dps + offset, p + offset, sums, sums + period, length, period, 1)
        }
        let convShape = convolved.shape, rowsPerImage = convShape[1] * convShape[2]
        let n = Float(convShape[0] * rowsPerImage)
        for j in 0 ..< channels { (sum[j], dot[j]) = (sum[j] / n, dot[j] / n) }
        let (mu, inverse) = (stats + 2 * period + 2 * channels, stats + 2 * period + 3 * channels)
        let groupFloats = conv.grouping(for: inputShape).group * rowsPerImage * channels
        let gradientBuffers = workspace.take([imageChunks, groupFloats])
        defer { workspace.giveBack(gradientBuffers) }
        let buffers = gradientBuffers.data, (height, width, kernel) = (convShape[1], convShape[2], pool.kernel)
        return winners.withUnsafeBufferPointer { best in
            conv.backward(needsInputGradient: needsInputGradient, in: workspace) { chunk, images in
                let buffer = buffers + chunk * groupFloats
                ck_pool_normalized_gradient(dps, p, best.baseAddress!, y, mu, inverse, sum, dot, height, width, channels, kernel,
                                            images.lowerBound, images.count, buffer)
                return UnsafePointer(buffer)
            }
        }
    }
}
