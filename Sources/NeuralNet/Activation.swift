import CKernels
import Simplex
import Support

/// Rectified linear unit y = max(x, 0); ∂x = ∂y where y > 0.
public final class ReLU: Layer, OverwritingLayer {
    /// y of the last forward pass: `ownOutput`, or the input itself when the pass overwrote it.
    private var output: Tensor
    private let ownOutput = Tensor(shape: [0])

    /// A ReLU layer (no parameters).
    public init() { output = ownOutput }

    public var description: String { "ReLU" }
    public func outputShape(for input: [Int]) -> [Int] { input }

    public func forward(_ x: Tensor, training: Bool, in workspace: Workspace) -> Tensor {
        forward(x, training: training, in: workspace, overwriting: false)
    }

    func forward(_ x: Tensor, training: Bool, in workspace: Workspace, overwriting: Bool) -> Tensor {
        output = overwriting ? x : ownOutput
        output.resize(to: x.shape)
        Self.rectify(x, into: output)
        return output
    }

    public func infer(_ x: Tensor, in workspace: Workspace) -> Tensor {
        let y = workspace.take(x.shape)
        Self.rectify(x, into: y)
        return y
    }

    /// y = max(x, 0), split across the cores (y may be x).
    private static func rectify(_ x: Tensor, into y: Tensor) {
        let (xs, ys) = (x.data, y.data)
        parallelChunks(count: x.count, minimumPerChunk: 16_384) { start, count in ck_relu(xs + start, ys + start, count) }
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, in workspace: Workspace) -> Tensor? {
        guard needsInputGradient else { return nil }
        let inputGradient = workspace.take(dy.shape)
        let (ys, dys, dxs) = (output.data, dy.data, inputGradient.data)
        parallelChunks(count: dy.count, minimumPerChunk: 16_384) { start, count in
            ck_relu_backward(ys + start, dys + start, dxs + start, count)
        }
        return inputGradient
    }
}

/// Flattens everything after the batch axis: [N, …] → [N, ∏…].
public final class Flatten: Layer {
    private var inputShape: [Int] = []
    private let output = Tensor(shape: [0])

    /// A Flatten layer (no parameters).
    public init() {}

    public var description: String { "Flatten" }
    public var keepsOutput: Bool { false }
    public func outputShape(for input: [Int]) -> [Int] { [input[0], input.dropFirst().reduce(1, *)] }

    public func forward(_ x: Tensor, training: Bool, in workspace: Workspace) -> Tensor {
        inputShape = x.shape
        output.resize(to: outputShape(for: x.shape))
        output.data.update(from: x.data, count: x.count)
        return output
    }

    public func infer(_ x: Tensor, in workspace: Workspace) -> Tensor {
        let y = workspace.take(outputShape(for: x.shape))
        y.data.update(from: x.data, count: x.count)
        return y
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, in workspace: Workspace) -> Tensor? {
        guard needsInputGradient else { return nil }
        let inputGradient = workspace.take(inputShape)
        inputGradient.data.update(from: dy.data, count: dy.count)
        return inputGradient
    }
}
