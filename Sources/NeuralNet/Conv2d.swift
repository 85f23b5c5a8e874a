import CKernels
import Simplex
import Support

/// The most chunks a convolution splits its batch into, and so the number of per-chunk patch buffers
/// and ∂W partial sums it takes from its workspace (each chunk has its own ∂W; fewer, larger chunks
/// keep more images per group).
let imageChunks = 4

/// How a convolution forms its products.
public enum ConvolutionAlgorithm: String, CaseIterable, Codable, Sendable {
    /// im2col + sgemm: every output is a sum of its K·K·C products, rounded as sgemm rounds.
    case gemm
    /// Winograd F(2×2, 3×3) and F(2×2, 5×5) for 3×3 and 5×5 kernels of stride 1 (`WinogradTiles`;
    /// other kernels, and a single-channel input the forward pass convolves directly, use `gemm`):
    /// 16 products per 2×2 outputs and input channel instead of 36, or 36 instead of 100, so 2.25 or
    /// 2.78 times fewer multiplications in the forward pass, ∂x and ∂W alike, rounded differently
    /// (within the bound `WinogradTiles` states).
    case winograd
}

/// 2-D convolution on NHWC images by im2col + GEMM or by Winograd's F(2×2, 3×3) or F(2×2, 5×5)
/// (`algorithm`), a few images at a time.
///
/// Input [N, H, W, C], weight [O, K, K, C], output [N, H', W', O] with H' = (H + 2p − K)/s + 1.
/// The patches of a group g of images form a matrix P_g of shape [n_g·H'·W', K·K·C] (zero outside
/// the padded image), so y_g = P_g Wᵀ + b, ∂W = Σ_g ∂y_gᵀ P_g, ∂b = Σ_g Σ_rows ∂y_g and
/// ∂P_g = ∂y_g W, which col2im sums back into ∂x. The batch is split into `parallelFixedChunks`
/// (contiguous ranges of images whose boundaries do not depend on the number of workers); each
/// chunk works through its range one group at a time in its own patch buffer (about 512 KiB, so it
/// stays in cache); the backward pass forms a group's patches again rather than keeping a
/// whole-batch patch matrix. For that it keeps a reference to the forward pass's input, which must
/// not change before `backward`. ∂W and ∂b are summed per chunk, then over the chunks in order, so
/// results depend only on the inputs, whatever the number of workers. The patch buffers and the
/// per-chunk ∂W sums are taken from the pass's workspace and given back when it returns. The forward pass of a
/// single-channel input with stride 1 and no padding (a first layer on grayscale images) skips the
/// patches: `ck_convolve_one_channel` sums its K·K products per output directly, 1.6 times as fast
/// as im2col and a 25-wide product for LeNet-5's first layer. Any other 3×3 or 5×5 convolution of
/// stride 1 with the `winograd` algorithm works through the same chunks and groups, each group's
/// patches replaced by its transformed tiles (`WinogradTiles`).
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
    /// How the products are formed; `winograd` applies to 3×3 and 5×5 kernels of stride 1 only.
    public let algorithm: ConvolutionAlgorithm
    private var input = Tensor(shape: [0])
    private let output = Tensor(shape: [0])
    /// Per-chunk partial sums of ∂b tiled to whole SIMD blocks.
    private let biasGradientParts = Tensor(shape: [0])
    /// The bias tiled to whole SIMD blocks (`biasTiling.period` floats).
    private let tiledBias = Tensor(shape: [0])
    /// W tap by tap, [K, K, O], for the direct single-channel forward pass.
    private let tapWeights = Tensor(shape: [0])
    /// Adds the bias to the output rows and sums ∂y's columns for its gradient.
    private lazy var biasTiling = ColumnTiling(columns: outChannels, accumulators: 1)

    /// A convolution from `inChannels` to `outChannels` with a K×K kernel; parameters are zero until `initialize(_:using:)`.
    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true,
                algorithm: ConvolutionAlgorithm = .winograd) {
        precondition(inChannels > 0 && outChannels > 0 && kernel > 0 && stride > 0 && padding >= 0,
                     "Conv2d needs positive channels, kernel and stride, and padding ≥ 0")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.algorithm = algorithm
        weight = Parameter(role: "weight", shape: [outChannels, kernel, kernel, inChannels])
        self.bias = bias ? Parameter(role: "bias", shape: [outChannels]) : nil
    }

    public var description: String {
        "Conv2d(\(inChannels)→\(outChannels), \(kernel)×\(kernel), stride \(stride), pad \(padding)\(bias == nil ? ", no bias" : ""))"
    }
    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }
    public var keepsOutput: Bool { false }

    public func outputShape(for input: [Int]) -> [Int] {
        precondition(input.count == 4 && input[3] == inChannels,
                     "\(description) expects NHWC input with \(inChannels) channels, got \(input)")
        let h = (input[1] + 2 * padding - kernel) / stride + 1
        let w = (input[2] + 2 * padding - kernel) / stride + 1
        precondition(h > 0 && w > 0, "\(description) input \(input) is smaller than the kernel")
        return [input[0], h, w, outChannels]
    }

    private var patchWidth: Int { kernel * kernel * inChannels }

    /// The Winograd tiling of an input of shape `shape` when this convolution uses it, else nil.
    func winogradTiles(for shape: [Int]) -> WinogradTiles? {
        guard algorithm == .winograd, WinogradTiles.kernels.contains(kernel), stride == 1, !convolvesDirectly else { return nil }
        let out = outputShape(for: shape)
        return WinogradTiles(height: shape[1], width: shape[2], channels: inChannels, outs: outChannels, kernel: kernel,
                             padding: padding, outHeight: out[1], outWidth: out[2])
    }

    /// The floats of one chunk's buffer per image of its group: the patches (about 512 KiB a group),
    /// or the transformed tiles and their products (`WinogradTiles.floatsPerImage`).
    private func bufferFloatsPerImage(for shape: [Int]) -> Int {
        winogradTiles(for: shape)?.floatsPerImage ?? outputShape(for: shape)[1] * outputShape(for: shape)[2] * patchWidth
    }

    /// Whether the forward pass convolves directly (`ck_convolve_one_channel`) instead of by patches.
    private var convolvesDirectly: Bool { inChannels == 1 && stride == 1 && padding == 0 }

    public func forward(_ x: Tensor, training: Bool, in workspace: Workspace) -> Tensor {
        output.resize(to: outputShape(for: x.shape))
        forward(x, into: output.data, in: workspace) { _, _, _ in }
        return output
    }

    public func infer(_ x: Tensor, in workspace: Workspace) -> Tensor {
        let y = workspace.take(outputShape(for: x.shape)), floats = y.count / max(1, x.shape[0])
        convolve(x, in: workspace, into: { _, images in y.data + images.lowerBound * floats }) { _, _, _ in }
        return y
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, in workspace: Workspace) -> Tensor? {
        let dys = dy.data, rowsPerImage = dy.shape[1] * dy.shape[2], outChannels = outChannels
        return backward(needsInputGradient: needsInputGradient, in: workspace) { _, images in
            UnsafePointer(dys + images.lowerBound * rowsPerImage * outChannels)
        }
    }

    /// How the images are grouped for an input of shape `shape`: `group` images per chunk buffer,
    /// and chunk and group starts at multiples of `alignment` images, so that every group's output
    /// rows start at a whole block of `biasTiling` (a multiple of its period in floats).
    func grouping(for shape: [Int]) -> (group: Int, alignment: Int, rowsPerImage: Int) {
        let out = outputShape(for: shape), rowsPerImage = out[1] * out[2]
        var (a, b) = (rowsPerImage * outChannels, biasTiling.period)
        while b != 0 { (a, b) = (b, a % b) }
        let alignment = biasTiling.period / a
        let images: Int
        if let tiles = winogradTiles(for: shape) {
            // At least 256 tiles, so that the 16 products are tall enough to run near the sgemm rate
            // (a few tiles of a 4×4 map would pack all of U for a handful of rows), but no more
            // than a chunk's share of the batch.
            images = min((256 + tiles.tilesPerImage - 1) / tiles.tilesPerImage, max(1, shape[0] / imageChunks))
        } else {
            images = max(1, 131_072 / (rowsPerImage * patchWidth))
        }
        return (max(images / alignment * alignment, alignment), alignment, rowsPerImage)
    }

    /// y = conv(x) into the [N, H', W', O] floats at `y`, a group of images at a time in each chunk;
    /// after each group, `body(chunk, images, rows)` sees that group's finished output (bias
    /// added) at `rows` while it is still in cache, on the thread that computed it, with its chunk
    /// (`chunk`). Keeps x for `backward`; the patch buffers come from `workspace`.
    func forward(_ x: Tensor, into y: UnsafeMutablePointer<Float>, in workspace: Workspace,
                 eachGroup body: (_ chunk: Int, _ images: Range<Int>, _ rows: UnsafeMutablePointer<Float>) -> Void) {
        input = x
        let floats = outputShape(for: x.shape).dropFirst().reduce(1, *)
        convolve(x, in: workspace, into: { _, images in y + images.lowerBound * floats }, eachGroup: body)
    }

    /// conv(x) a group of images at a time in each chunk (the groups `forward` uses): each group's
    /// output rows ([n_g·H'·W', O] floats) go to `destination(chunk, images)`, and then
    /// `body(chunk, images, rows)` sees them, bias added, while they are still in cache, on the
    /// thread that computed them. Keeps nothing for `backward`; the patch buffers (one per chunk)
    /// are taken from `workspace` and given back.
    func convolve(_ x: Tensor, in workspace: Workspace, into destination: (_ chunk: Int, _ images: Range<Int>) -> UnsafeMutablePointer<Float>,
                  eachGroup body: (_ chunk: Int, _ images: Range<Int>, _ rows: UnsafeMutablePointer<Float>) -> Void) {
        let (group, alignment, rowsPerImage) = grouping(for: x.shape), tiles = winogradTiles(for: x.shape)
        let groupFloats = group * bufferFloatsPerImage(for: x.shape), (outChannels, patchWidth) = (outChannels, patchWidth)
        let tiling = biasTiling, direct = convolvesDirectly, (height, width, taps) = (x.shape[1], x.shape[2], kernel * kernel)
        let patches = direct ? nil : workspace.take([imageChunks, groupFloats])
        let transformed = tiles.map { workspace.take([$0.weightFloats]) }
        defer {
            patches.map(workspace.giveBack)
            transformed.map(workspace.giveBack)
        }
        let (buffers, w, imageSize) = (patches?.data, weight.value.data, x.count / max(1, x.shape[0]))
        if let tiles, let transformed { tiles.transformWeights(w, into: transformed.data) }
        if direct {
            tapWeights.resize(to: [taps * outChannels])
            for o in 0 ..< outChannels {
                for tap in 0 ..< taps { tapWeights.data[tap * outChannels + o] = w[o * taps + tap] }
            }
        } else if let bias {
            tiledBias.resize(to: [tiling.period])
            tiling.tile(bias.value.data, into: tiledBias.data)
        }
        let tiled: UnsafePointer<Float>? = bias == nil ? nil : UnsafePointer(tiledBias.data)
        let (tapWeights, biasValues, kernel) = (tapWeights.data, bias.map { UnsafePointer($0.value.data) }, kernel)
        parallelFixedChunks(count: x.shape[0], minimumPerChunk: group, alignment: alignment, maximumChunks: imageChunks) { chunk, start, count in
            for first in Swift.stride(from: start, to: start + count, by: group) {
                let images = first ..< min(first + group, start + count)
                let rows = destination(chunk, images), rowCount = images.count * rowsPerImage
                if let tiles, let buffers, let transformed {
                    tiles.forward(x.data + first * imageSize, images: images.count, weights: transformed.data,
                                  buffer: buffers + chunk * groupFloats, into: rows)
                    if let tiled { ck_tiled_add(tiled, rows, rowCount * outChannels, tiling.period) }
                } else if let buffers {
                    let buffer = buffers + chunk * groupFloats
                    im2col(x, images: images, into: buffer)
                    gemm(transposeA: false, transposeB: true, m: rowCount, n: outChannels, k: patchWidth,
                         buffer, lda: patchWidth, w, ldb: patchWidth, rows, ldc: outChannels, serial: true)
                    if let tiled {
                        ck_tiled_add(tiled, rows, rowCount * outChannels, tiling.period)
                    }
                } else {
                    ck_convolve_one_channel(x.data + first * height * width, height, width, kernel, outChannels, tapWeights,
                                            biasValues, images.count, rows)
                }
                body(chunk, images, rows)
            }
        }
    }

    /// ∂W, ∂b and (when `needsInputGradient`) ∂x, returned in a buffer taken from `workspace`, for the
    /// last forward pass, in the same groups: `gradient(chunk, images)` gives the group's ∂y rows
    /// ([n_g·H'·W', O] floats), on the thread that uses them, so a caller can form them there just in
    /// time. The patch buffers and the per-chunk ∂W sums are taken from `workspace` and given back.
    func backward(needsInputGradient: Bool, in workspace: Workspace,
                  gradient: (_ chunk: Int, _ images: Range<Int>) -> UnsafePointer<Float>) -> Tensor? {
        let shape = input.shape, (group, alignment, rowsPerImage) = grouping(for: shape), tiles = winogradTiles(for: shape)
        let groupFloats = group * bufferFloatsPerImage(for: shape), (outChannels, patchWidth) = (outChannels, patchWidth)
        let weightCount = tiles?.weightFloats ?? outChannels * patchWidth, tiling = biasTiling
        let patches = workspace.take([imageChunks, groupFloats]), weightGradientParts = workspace.take([imageChunks, weightCount])
        let transformed = tiles.map { workspace.take([$0.weightFloats]) }
        defer {
            [patches, weightGradientParts].forEach(workspace.giveBack)
            transformed.map(workspace.giveBack)
        }
        // U again rather than kept from the forward pass: n²·O·C floats to form, small beside the pass, and no U held per layer between passes.
        if let tiles, let transformed { tiles.transformWeights(weight.value.data, into: transformed.data) }
        weightGradientParts.zero()
        biasGradientParts.resize(to: [imageChunks, tiling.period])
        biasGradientParts.zero()
        let inputGradient = needsInputGradient ? workspace.take(shape) : nil
        let (buffers, w, dx, x) = (patches.data, weight.value.data, inputGradient?.data, input)
        let (weightParts, biasParts) = (weightGradientParts.data, biasGradientParts.data)
        let imageSize = shape[1] * shape[2] * shape[3], hasBias = bias != nil
        parallelFixedChunks(count: shape[0], minimumPerChunk: group, alignment: alignment, maximumChunks: imageChunks) { chunk, start, count in
            let buffer = buffers + chunk * groupFloats
            if let dx { Kernels.fill(dx + start * imageSize, 0, count: count * imageSize) }
            for first in Swift.stride(from: start, to: start + count, by: group) {
                let images = first ..< min(first + group, start + count)
                let dy = gradient(chunk, images), rowCount = images.count * rowsPerImage
                if hasBias {
                    let sum = biasParts + chunk * tiling.period
                    ck_tiled_sum(dy, sum, rowCount * outChannels, tiling.period)
                }
                if let tiles, let transformed {
                    tiles.backward(x.data + first * imageSize, gradient: dy, images: images.count, weights: transformed.data,
                                   buffer: buffer, weightGradient: weightParts + chunk * weightCount,
                                   inputGradient: dx.map { $0 + first * imageSize })
                    continue
                }
                im2col(x, images: images, into: buffer)
                gemm(transposeA: true, transposeB: false, m: outChannels, n: patchWidth, k: rowCount,
                     dy, lda: outChannels, buffer, ldb: patchWidth, beta: 1, weightParts + chunk * weightCount, ldc: patchWidth,
                     serial: true)
                guard let dx else { continue }
                gemm(transposeA: false, transposeB: false, m: rowCount, n: patchWidth, k: outChannels,
                     dy, lda: outChannels, w, ldb: patchWidth, buffer, ldc: patchWidth, serial: true)
                col2im(buffer, images: images, into: dx)
            }
        }
        let dw = weight.gradient.data
        if let tiles {
            for part in 1 ..< imageChunks { Kernels.add(weightParts + part * weightCount, into: weightParts, count: weightCount) }
            tiles.weightGradient(weightParts, into: dw)
        } else {
            dw.update(from: weightParts, count: weightCount)
            for part in 1 ..< imageChunks { Kernels.add(weightParts + part * weightCount, into: dw, count: weightCount) }
        }
        if let bias {
            bias.gradient.data.update(repeating: 0, count: outChannels)
            for part in 0 ..< imageChunks { tiling.addFolded(biasParts + part * tiling.period, into: bias.gradient.data) }
        }
        return inputGradient
    }

    /// Sums the patch gradients of `images` (rows of `buffer`, the group's first patch row first)
    /// into their places in ∂x (`ck_col2im`).
    private func col2im(_ buffer: UnsafePointer<Float>, images: Range<Int>, into dx: UnsafeMutablePointer<Float>) {
        let shape = input.shape, out = outputShape(for: shape), imageSize = shape[1] * shape[2] * shape[3]
        ck_col2im(buffer, shape[1], shape[2], shape[3], kernel, stride, padding, out[1], out[2], images.count,
                  dx + images.lowerBound * imageSize)
    }

    /// The patches of `images` into `buffer` (the group's first patch row first), on the calling
    /// thread (`ck_im2col`).
    private func im2col(_ x: Tensor, images: Range<Int>, into buffer: UnsafeMutablePointer<Float>) {
        let shape = x.shape, out = outputShape(for: shape), imageSize = shape[1] * shape[2] * shape[3]
        ck_im2col(x.data + images.lowerBound * imageSize, shape[1], shape[2], shape[3], kernel, stride, padding, out[1], out[2],
                  images.count, buffer)
    }
}
