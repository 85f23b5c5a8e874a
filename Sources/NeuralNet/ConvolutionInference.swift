import CKernels
import Support

/// Convolution → BatchNorm without γ and β → optionally ReLU → optionally max pooling, evaluated as
/// one pass over each group of images while the group's convolution output is in cache
/// (`Sequential`'s inference path: LeNet-5's and VGG-16's blocks, ResNet-18's convolutions).
///
/// In evaluation BatchNorm uses its running statistics: x̂ = (y − μ)·a with a = 1/√(σ² + ε) > 0 per
/// channel. That map and ReLU are non-decreasing, and so are their rounded float forms, hence
/// max_window ReLU(x̂(y)) = ReLU(x̂(max_window y)). Each group the convolution computes
/// (`Conv2d.convolve`) is, while in cache, max-pooled (values only, no winners) and the pooled part
/// normalised and rectified (`ck_tiled_standardize`); without pooling it is normalised and rectified
/// where it lies. When pooling, the convolution output never reaches memory as a whole: each chunk
/// writes its group into a group buffer taken from the workspace.
///
/// The values are those of the layers' evaluation-mode `forward` passes one after the other, bit for
/// bit up to the sign of a zero: the same convolution groups and products, and per entry the same
/// float operations in the same order (pooling first only picks the same window entry).
struct ConvolutionInference {
    let conv: Conv2d
    let norm: BatchNorm
    /// Whether a ReLU follows the BatchNorm.
    let rectified: Bool
    let pool: MaxPool2d?
    /// The number of layers fused: 2 to 4.
    let layerCount: Int

    /// The fused evaluation of the layers at the start of `layers` when they are Conv2d and BatchNorm
    /// without affine parameters over its channels, then ReLU and MaxPool2d where present; nil otherwise.
    init?(_ layers: ArraySlice<any Layer>) {
        let start = layers.startIndex
        guard layers.count >= 2, let conv = layers[start] as? Conv2d, let norm = layers[start + 1] as? BatchNorm,
              norm.weight == nil, norm.features == conv.outChannels else { return nil }
        var next = start + 2
        rectified = next < layers.endIndex && layers[next] is ReLU
        if rectified { next += 1 }
        pool = next < layers.endIndex ? layers[next] as? MaxPool2d : nil
        if pool != nil { next += 1 }
        (self.conv, self.norm, layerCount) = (conv, norm, next - start)
    }

    func outputShape(for input: [Int]) -> [Int] {
        let convShape = conv.outputShape(for: input)
        return pool?.outputShape(for: convShape) ?? convShape
    }

    /// The fused layers' evaluation-mode output for `x`, in a buffer taken from `workspace`.
    func infer(_ x: Tensor, in workspace: Workspace) -> Tensor {
        let convShape = conv.outputShape(for: x.shape), y = workspace.take(outputShape(for: x.shape))
        let perImage = y.count / max(1, x.shape[0]), ys = y.data
        let (mean, scale, period) = norm.tileRunningStatistics(), rectify: Int32 = rectified ? 1 : 0
        guard let pool else {
            conv.convolve(x, in: workspace, into: { _, images in ys + images.lowerBound * perImage }) { _, images, rows in
                ck_tiled_standardize(rows, mean, scale, rows, images.count * perImage, period, rectify)
            }
            return y
        }
        let (group, _, rowsPerImage) = conv.grouping(for: x.shape), groupFloats = group * rowsPerImage * conv.outChannels
        let buffers = workspace.take([imageChunks, groupFloats]), groups = buffers.data
        conv.convolve(x, in: workspace, into: { chunk, _ in groups + chunk * groupFloats }) { _, images, rows in
            let pooled = ys + images.lowerBound * perImage
            pool.pool(rows, shape: convShape, images: 0 ..< images.count, into: pooled, winners: nil)
            ck_tiled_standardize(pooled, mean, scale, pooled, images.count * perImage, period, rectify)
        }
        workspace.giveBack(buffers)
        return y
    }
}
