import CKernels
import Simplex
import Support

/// Max pooling over k×k windows with stride s on NHWC images (no padding). Backward routes each
/// gradient to the window's largest input (the first one on ties).
public final class MaxPool2d: Layer {
    /// Window side k.
    public let kernel: Int
    /// Stride s (the kernel size by default).
    public let stride: Int
    private var inputShape: [Int] = []
    private var winners: [Int32] = []
    private let output = Tensor(shape: [0])

    /// Max pooling with k×k windows and stride `stride ?? kernel`.
    public init(_ kernel: Int, stride: Int? = nil) {
        precondition(kernel > 0 && (stride ?? kernel) > 0, "MaxPool2d needs a positive kernel and stride")
        self.kernel = kernel
        self.stride = stride ?? kernel
    }

    public var description: String { "MaxPool2d(\(kernel)×\(kernel), stride \(stride))" }
    public var keepsOutput: Bool { false }

    public func outputShape(for input: [Int]) -> [Int] { poolShape(input, kernel: kernel, stride: stride, name: description) }

    public func forward(_ x: Tensor, training: Bool, in workspace: Workspace) -> Tensor {
        let shape = outputShape(for: x.shape)
        inputShape = x.shape
        output.resize(to: shape)
        if winners.count < output.count { winners = Array(repeating: 0, count: output.count) }
        let xs = x.data, ys = output.data, inputShape = x.shape
        winners.withUnsafeMutableBufferPointer { buffer in
            let best = buffer.baseAddress!
            // Images are independent, so they are split across the cores.
            parallelChunks(count: shape[0], minimumPerChunk: 1, alignment: 1) { start, images in
                pool(xs, shape: inputShape, images: start ..< start + images, into: ys, winners: best)
            }
        }
        return output
    }

    public func infer(_ x: Tensor, in workspace: Workspace) -> Tensor {
        let shape = outputShape(for: x.shape), y = workspace.take(shape)
        let xs = x.data, ys = y.data, inputShape = x.shape
        parallelChunks(count: shape[0], minimumPerChunk: 1, alignment: 1) { start, images in
            pool(xs, shape: inputShape, images: start ..< start + images, into: ys, winners: nil)
        }
        return y
    }

    /// Pools the images `images` of x (NHWC, shape `shape`) on the calling thread: y holds each
    /// window's maximum and `winners`, unless nil, the offset in x of the input it came from (the
    /// first one on ties), both at the output offsets of those images (`ck_max_pool`).
    func pool(_ xs: UnsafePointer<Float>, shape: [Int], images: Range<Int>, into ys: UnsafeMutablePointer<Float>,
              winners best: UnsafeMutablePointer<Int32>?) {
        ck_max_pool(xs, shape[1], shape[2], shape[3], kernel, stride, images.lowerBound, images.count, ys, best)
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, in workspace: Workspace) -> Tensor? {
        guard needsInputGradient else { return nil }
        let inputGradient = workspace.take(inputShape)
        let dx = inputGradient.data, dys = dy.data
        let (imageSize, outputSize) = (inputGradient.count / inputShape[0], dy.count / inputShape[0])
        winners.withUnsafeBufferPointer { best in
            // Each image's winners lie in that image, so images are split across the cores.
            parallelChunks(count: inputShape[0], minimumPerChunk: 1, alignment: 1) { start, images in
                Kernels.fill(dx + start * imageSize, 0, count: images * imageSize)
                ck_unpool(dys + start * outputSize, best.baseAddress! + start * outputSize, images * outputSize, 0, dx)
            }
        }
        return inputGradient
    }
}

/// Average pooling over k×k windows with stride s on NHWC images (no padding).
public final class AvgPool2d: Layer {
    /// Window side k.
    public let kernel: Int
    /// Stride s (the kernel size by default).
    public let stride: Int
    private var inputShape: [Int] = []
    private let output = Tensor(shape: [0])

    /// Average pooling with k×k windows and stride `stride ?? kernel`.
    public init(_ kernel: Int, stride: Int? = nil) {
        precondition(kernel > 0 && (stride ?? kernel) > 0, "AvgPool2d needs a positive kernel and stride")
        self.kernel = kernel
        self.stride = stride ?? kernel
    }

    public var description: String { "AvgPool2d(\(kernel)×\(kernel), stride \(stride))" }
    public var keepsOutput: Bool { false }

    public func outputShape(for input: [Int]) -> [Int] { poolShape(input, kernel: kernel, stride: stride, name: description) }

    /// Calls body(output offset, input offset) for every window element of an input of shape
    /// `input` pooled to `shape`, channel run first.
    private func forEachWindowElement(_ input: [Int], _ shape: [Int], _ body: (Int, Int) -> Void) {
        let (h, w, c) = (input[1], input[2], input[3])
        for n in 0 ..< shape[0] {
            for oy in 0 ..< shape[1] {
                for ox in 0 ..< shape[2] {
                    let out = ((n * shape[1] + oy) * shape[2] + ox) * c
                    for ky in 0 ..< kernel {
                        for kx in 0 ..< kernel {
                            body(out, ((n * h + oy * stride + ky) * w + ox * stride + kx) * c)
                        }
                    }
                }
            }
        }
    }

    public func forward(_ x: Tensor, training: Bool, in workspace: Workspace) -> Tensor {
        inputShape = x.shape
        output.resize(to: outputShape(for: x.shape))
        average(x, into: output)
        return output
    }

    public func infer(_ x: Tensor, in workspace: Workspace) -> Tensor {
        let y = workspace.take(outputShape(for: x.shape))
        average(x, into: y)
        return y
    }

    /// y = the mean of each window: the window's inputs summed in ky-then-kx order, times 1/k².
    private func average(_ x: Tensor, into y: Tensor) {
        y.zero()
        let c = x.shape[3], xs = x.data, ys = y.data
        forEachWindowElement(x.shape, y.shape) { out, at in Kernels.add(xs + at, into: ys + out, count: c) }
        let scale = 1 / Float(kernel * kernel)
        for i in 0 ..< y.count { ys[i] *= scale }
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, in workspace: Workspace) -> Tensor? {
        guard needsInputGradient else { return nil }
        let inputGradient = workspace.take(inputShape)
        inputGradient.zero()
        let c = inputShape[3], dx = inputGradient.data, scale = 1 / Float(kernel * kernel)
        forEachWindowElement(inputShape, dy.shape) { out, at in
            for ch in 0 ..< c { dx[at + ch] += dy[out + ch] * scale }
        }
        return inputGradient
    }
}

/// The NHWC output shape of a k×k pooling window with stride s and no padding.
func poolShape(_ input: [Int], kernel: Int, stride: Int, name: String) -> [Int] {
    precondition(input.count == 4 && input[1] >= kernel && input[2] >= kernel, "\(name) got input of shape \(input)")
    return [input[0], (input[1] - kernel) / stride + 1, (input[2] - kernel) / stride + 1, input[3]]
}
