/// Fully connected layer y = x Wᵀ + b, with W of shape [out, in] (PyTorch's layout) and x of shape
/// [N, in].
public final class Linear: Layer {
    /// Input features.
    public let inputs: Int
    /// Output features.
    public let outputs: Int
    /// W, shape [outputs, inputs].
    public let weight: Parameter
    /// b, shape [outputs], unless created with `bias: false`.
    public let bias: Parameter?
    private var input: Tensor?
    private let output = Tensor(shape: [0])
    /// Adds the bias to the output rows and sums ∂y's columns for its gradient.
    private lazy var biasTiling = ColumnTiling(columns: outputs, accumulators: 1)

    /// A layer from `inputs` to `outputs` features; parameters are zero until `initialize(_:using:)`.
    public init(_ inputs: Int, _ outputs: Int, bias: Bool = true) {
        precondition(inputs > 0 && outputs > 0, "Linear needs positive sizes")
        self.inputs = inputs
        self.outputs = outputs
        weight = Parameter(role: "weight", shape: [outputs, inputs])
        self.bias = bias ? Parameter(role: "bias", shape: [outputs]) : nil
    }

    public var description: String { "Linear(\(inputs)→\(outputs)\(bias == nil ? ", no bias" : ""))" }
    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }
    public var keepsOutput: Bool { false }

    public func outputShape(for input: [Int]) -> [Int] {
        precondition(input.count == 2 && input[1] == inputs, "Linear(\(inputs)→\(outputs)) got input of shape \(input)")
        return [input[0], outputs]
    }

    public func forward(_ x: Tensor, training: Bool, in workspace: Workspace) -> Tensor {
        output.resize(to: outputShape(for: x.shape))
        apply(to: x, into: output)
        input = x
        return output
    }

    public func infer(_ x: Tensor, in workspace: Workspace) -> Tensor {
        let y = workspace.take(outputShape(for: x.shape))
        apply(to: x, into: y)
        return y
    }

    /// y = x Wᵀ + b.
    private func apply(to x: Tensor, into y: Tensor) {
        gemm(transposeA: false, transposeB: true, m: x.shape[0], n: outputs, k: inputs,
             x.data, lda: inputs, weight.value.data, ldb: inputs, y.data, ldc: outputs)
        if let bias { biasTiling.addRow(bias.value.data, to: y.data, count: y.count) }
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool, in workspace: Workspace) -> Tensor? {
        guard let x = input else { preconditionFailure("Linear.backward before forward") }
        let n = x.shape[0]
        gemm(transposeA: true, transposeB: false, m: outputs, n: inputs, k: n,
             dy.data, lda: outputs, x.data, ldb: inputs, weight.gradient.data, ldc: inputs)
        if let bias { biasTiling.columnSums(dy.data, count: dy.count, into: bias.gradient.data) }
        guard needsInputGradient else { return nil }
        let inputGradient = workspace.take(x.shape)
        gemm(transposeA: false, transposeB: false, m: n, n: inputs, k: outputs,
             dy.data, lda: outputs, weight.value.data, ldb: inputs, inputGradient.data, ldc: inputs)
        return inputGradient
    }
}
