/// 2-D convolution on NHWC images by im2col + GEMM.
///
/// Input [N, H, W, C], weight [O, K, K, C], output [N, H', W', O] with H' = (H + 2p − K)/s + 1.
/// The patches of the whole batch form one matrix P of shape [N·H'·W', K·K·C] (zero outside the
/// padded image), so y = P Wᵀ + b, ∂W = ∂yᵀ P and ∂P = ∂y W, which col2im sums back into ∂x.
public final class Conv2d: Layer {
    public let inChannels: Int
    public let outChannels: Int
    public let kernel: Int
    public let stride: Int
    public let padding: Int
    public let weight: Parameter
    public let bias: Parameter?
    private var inputShape: [Int] = []
    private let patches = Tensor(shape: [0])
    private let patchGradient = Tensor(shape: [0])
    private let output = Tensor(shape: [0])
    private let inputGradient = Tensor(shape: [0])

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
        if let bias { Kernels.addRowVector(bias.value.data, to: output.data, rows: rows, columns: outChannels) }
        return output
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
        let rows = dy.count / outChannels
        gemm(transposeA: true, transposeB: false, m: outChannels, n: patchWidth, k: rows,
             dy.data, lda: outChannels, patches.data, ldb: patchWidth, weight.gradient.data, ldc: patchWidth)
        if let bias { Kernels.columnSums(dy.data, rows: rows, columns: outChannels, into: bias.gradient.data) }
        guard needsInputGradient else { return nil }
        patchGradient.resize(to: [rows, patchWidth])
        gemm(transposeA: false, transposeB: false, m: rows, n: patchWidth, k: outChannels,
             dy.data, lda: outChannels, weight.value.data, ldb: patchWidth, patchGradient.data, ldc: patchWidth)
        inputGradient.resize(to: inputShape)
        inputGradient.zero()
        col2im(shape: inputShape, outHeight: dy.shape[1], outWidth: dy.shape[2])
        return inputGradient
    }

    /// Visits every (patch row, kernel offset) pair whose source pixel lies inside the image,
    /// passing the offsets of the C-long runs in the patch matrix and in the image.
    @inline(__always)
    private func forEachRun(shape: [Int], outHeight: Int, outWidth: Int, _ body: (_ patch: Int, _ pixel: Int?) -> Void) {
        let (n, h, w, c) = (shape[0], shape[1], shape[2], shape[3])
        var row = 0
        for image in 0 ..< n {
            for oy in 0 ..< outHeight {
                for ox in 0 ..< outWidth {
                    var column = 0
                    for ky in 0 ..< kernel {
                        let iy = oy * stride - padding + ky
                        for kx in 0 ..< kernel {
                            let ix = ox * stride - padding + kx
                            let inside = iy >= 0 && iy < h && ix >= 0 && ix < w
                            body(row * patchWidth + column, inside ? ((image * h + iy) * w + ix) * c : nil)
                            column += c
                        }
                    }
                    row += 1
                }
            }
        }
    }

    private func im2col(_ x: UnsafeMutablePointer<Float>, shape: [Int], outHeight: Int, outWidth: Int) {
        let c = inChannels, p = patches.data
        forEachRun(shape: shape, outHeight: outHeight, outWidth: outWidth) { patch, pixel in
            if let pixel { (p + patch).update(from: x + pixel, count: c) } else { (p + patch).update(repeating: 0, count: c) }
        }
    }

    private func col2im(shape: [Int], outHeight: Int, outWidth: Int) {
        let c = inChannels, dp = patchGradient.data, dx = inputGradient.data
        forEachRun(shape: shape, outHeight: outHeight, outWidth: outWidth) { patch, pixel in
            if let pixel { Kernels.add(dp + patch, into: dx + pixel, count: c) }
        }
    }
}
