import Simplex
/// 2-D convolution on NHWC images by im2col + GEMM.
///
/// Input [N, H, W, C], weight [O, K, K, C], output [N, H', W', O] with H' = (H + 2p − K)/s + 1.
/// The patches of the whole batch form one matrix P of shape [N·H'·W', K·K·C] (zero outside the
/// padded image), so y = P Wᵀ + b, ∂W = ∂yᵀ P and ∂P = ∂y W, which col2im sums back into ∂x
/// (∂P a few images at a time, see `inputGradientByGroups`).
public final class Conv2d: Layer {
    /// Input channels C.
    public let inChannels: Int
    /// Output channels O.
    public let outChannels: Int
    /// Kernel side K (square kernels).
    public let kernel: Int
    /// Stride s in both directions.
    public let stride: Int
    /// Zero padding p on every side.
    public let padding: Int
    /// W, shape [O, K, K, C].
    public let weight: Parameter
    /// b, shape [O], unless created with `bias: false`.
    public let bias: Parameter?
    private var inputShape: [Int] = []
    private let patches = Tensor(shape: [0])
    private let patchGradient = Tensor(shape: [0])
    private let output = Tensor(shape: [0])
    private let inputGradient = Tensor(shape: [0])
    /// Partial weight gradients when ∂W is summed over the batch in one range of rows per core.
    private let weightGradientParts = Tensor(shape: [0])
    /// Adds the bias to the output rows and sums ∂y's columns for its gradient.
    private lazy var biasTiling = ColumnTiling(columns: outChannels, accumulators: 1)

    /// A convolution from `inChannels` to `outChannels` with a K×K kernel; parameters are zero until `initialize(_:using:)`.
    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true) {
        precondition(inChannels > 0 && outChannels > 0 && kernel > 0 && stride > 0 && padding >= 0,
                     "Conv2d needs positive channels, kernel and stride, and padding ≥ 0")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        weight = Parameter(role: "weight", shape: [outChannels, kernel, kernel, inChannels])
        self.bias = bias ? Parameter(role: "bias", shape: [outChannels]) : nil
    }

    public var description: String {
        "Conv2d(\(inChannels)→\(outChannels), \(kernel)×\(kernel), stride \(stride), pad \(padding)\(bias == nil ? ", no bias" : ""))"
    }
    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    public func outputShape(for input: [Int]) -> [Int] {
        precondition(input.count == 4 && input[3] == inChannels,
                     "\(description) expects NHWC input with \(inChannels) channels, got \(input)")
        let h = (input[1] + 2 * padding - kernel) / stride + 1
        let w = (input[2] + 2 * padding - kernel) / stride + 1
        precondition(h > 0 && w > 0, "\(description) input \(input) is smaller than the kernel")
        return [input[0], h, w, outChannels]
    }

    private var patchWidth: Int { kernel * kernel * inChannels }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let shape = outputShape(for: x.shape)
        inputShape = x.shape
        let rows = shape[0] * shape[1] * shape[2]
        patches.resize(to: [rows, patchWidth])
        im2col(x.data, shape: x.shape, outHeight: shape[1], outWidth: shape[2])
        output.resize(to: shape)
        gemm(transposeA: false, transposeB: true, m: rows, n: outChannels, k: patchWidth,
             patches.data, lda: patchWidth, weight.value.data, ldb: patchWidth, output.data, ldc: outChannels)
        if let bias { biasTiling.addRow(bias.value.data, to: output.data, count: output.count) }
        return output
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
        let rows = dy.count / outChannels
        gemm(transposeA: true, transposeB: false, m: outChannels, n: patchWidth, k: rows,
             dy.data, lda: outChannels, patches.data, ldb: patchWidth, weight.gradient.data, ldc: patchWidth,
             workspace: weightGradientParts)
        if let bias { biasTiling.columnSums(dy.data, count: dy.count, into: bias.gradient.data) }
        guard needsInputGradient else { return nil }
        inputGradient.resize(to: inputShape)
        inputGradientByGroups(dy)
        return inputGradient
    }

    /// ∂x a few images at a time: each core forms ∂P = ∂y W for a group of its images in its own
    /// buffer (about 512 KiB, so it stays in cache instead of a whole-batch ∂P going through memory)
    /// and sums it into those images with col2im.
    private func inputGradientByGroups(_ dy: Tensor) {
        let shape = inputShape, (outHeight, outWidth) = (dy.shape[1], dy.shape[2])
        let rowsPerImage = outHeight * outWidth, patchWidth = patchWidth
        let group = max(1, 131_072 / (rowsPerImage * patchWidth)), groupFloats = group * rowsPerImage * patchWidth
        patchGradient.resize(to: [coreCount, groupFloats])
        let (buffers, dys, w, dx, outChannels) = (patchGradient.data, dy.data, weight.value.data, inputGradient.data, outChannels)
        let imageSize = shape[1] * shape[2] * shape[3]
        parallelChunks(count: shape[0], minimumPerChunk: 1, alignment: 1) { chunk, start, count in
            let buffer = buffers + chunk * groupFloats
            Kernels.fill(dx + start * imageSize, 0, count: count * imageSize)
            for first in Swift.stride(from: start, to: start + count, by: group) {
                let images = first ..< min(first + group, start + count)
                let firstRow = first * rowsPerImage
                gemm(transposeA: false, transposeB: false, m: images.count * rowsPerImage, n: patchWidth, k: outChannels,
                     dys + firstRow * outChannels, lda: outChannels, w, ldb: patchWidth, buffer, ldc: patchWidth, serial: true)
                // col2im addresses patch rows of the whole batch; the buffer holds those of `images`.
                let base = buffer - firstRow * patchWidth
                forEachRun(shape: shape, images: images, outHeight: outHeight, outWidth: outWidth) { patch, pixel, first, count in
                    Kernels.add(base + patch + first, into: dx + pixel + first, count: count)
                }
            }
        }
    }

    /// Visits every (patch row, kernel row) pair of the images in `images`. For output pixel
    /// (oy, ox) and kernel row ky the K source pixels (iy, ox·s − p + kx) are adjacent in NHWC
    /// memory, so each visit is one run of K·C floats, clipped to the image:
    /// `body(patch offset, pixel offset, first, count)` where `first` and `count` give the part of
    /// the run (in floats) that lies inside the image. Rows entirely outside are visited with count 0.
    @inline(__always)
    private func forEachRun(shape: [Int], images: Range<Int>, outHeight: Int, outWidth: Int,
                            _ body: (_ patch: Int, _ pixel: Int, _ first: Int, _ count: Int) -> Void) {
        let (h, w, c) = (shape[1], shape[2], shape[3])
        let run = kernel * c
        var row = images.lowerBound * outHeight * outWidth
        for image in images {
            for oy in 0 ..< outHeight {
                for ox in 0 ..< outWidth {
                    let x0 = ox * stride - padding
                    let lo = max(0, -x0), hi = min(kernel, w - x0)
                    for ky in 0 ..< kernel {
                        let iy = oy * stride - padding + ky
                        let patch = row * patchWidth + ky * run
                        if iy < 0 || iy >= h || hi <= lo {
                            body(patch, 0, 0, 0)
                        } else {
                            body(patch, ((image * h + iy) * w + x0) * c, lo * c, (hi - lo) * c)
                        }
                    }
                    row += 1
                }
            }
        }
    }

    /// Patches of all images, the images split across the cores.
    ///
    /// Runs shorter than eight floats (K·C = 5 for LeNet-5's first layer) that end at their run's
    /// end are copied as one eight-float vector when both ends stay inside the buffers and the
    /// chunk: the extra floats land in the next run's place, which is written after this one.
    private func im2col(_ x: UnsafeMutablePointer<Float>, shape: [Int], outHeight: Int, outWidth: Int) {
        let run = kernel * inChannels, p = patches.data, inputCount = shape.reduce(1, *)
        let padded = padding > 0, rowsPerImage = outHeight * outWidth, patchWidth = patchWidth
        parallelChunks(count: shape[0], minimumPerChunk: 1, alignment: 1) { start, count in
            let chunkEnd = (start + count) * rowsPerImage * patchWidth
            forEachRun(shape: shape, images: start ..< start + count, outHeight: outHeight, outWidth: outWidth) { patch, pixel, first, count in
                if padded && count < run { Kernels.fill(p + patch, 0, count: run) }
                let (source, target) = (pixel + first, patch + first)
                if count < 8 && count > 0 && first + count == run && target + 8 <= chunkEnd && source + 8 <= inputCount {
                    Kernels.store(Kernels.load(x, source), p, target)
                } else {
                    Kernels.copy(x + source, to: p + target, count: count)
                }
            }
        }
    }
}
