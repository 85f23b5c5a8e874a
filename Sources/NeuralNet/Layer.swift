/// A differentiable layer.
///
/// `forward` keeps whatever `backward` needs (the input, masks, statistics) and returns its output
/// in a buffer the layer owns, overwritten by its next forward pass; `backward` must follow the
/// `forward` whose output it differentiates and returns ∂loss/∂input in a buffer taken from the
/// workspace, which the caller gives back once it has read it. Both take their scratch (patch
/// buffers, per-chunk partial sums) from the workspace and give it back before they return, so
/// layers that share a workspace share that memory. `infer` is the evaluation path: it writes its
/// output into a buffer from the workspace too and keeps nothing.
public protocol Layer: AnyObject {
    /// A short description with the layer's sizes, e.g. `Linear(784→300)`.
    var description: String { get }
    /// The layer's own trainable parameters (not those of sub-layers).
    var parameters: [Parameter] { get }
    /// Whether the layer reads its last `forward` output again (in `backward`, or because the
    /// output is its input or a sub-layer's kept output): when false, the layer that consumes the
    /// output may overwrite it in place (`Sequential` lets BatchNorm and ReLU do so).
    var keepsOutput: Bool { get }
    /// The output shape for an input of shape `input` (batch axis first).
    func outputShape(for input: [Int]) -> [Int]
    /// Computes the output. `training` selects batch statistics in BatchNorm. `input` is not changed.
    func forward(_ input: Tensor, training: Bool, in workspace: Workspace) -> Tensor
    /// `forward(input, training:, in:)` with a workspace of the layer's own choosing.
    func forward(_ input: Tensor, training: Bool) -> Tensor
    /// The evaluation-mode output (that of `forward(input, training: false)`, up to the sign of a zero) in a buffer
    /// taken from `workspace`, which the caller gives back once it has read it. Unlike `forward`,
    /// it keeps nothing for a backward pass and changes nothing `backward` reads, so an evaluation
    /// between a training forward pass and its backward pass leaves the gradients as they were.
    /// `input` is not changed.
    func infer(_ input: Tensor, in workspace: Workspace) -> Tensor
    /// Writes ∂loss/∂parameters into each parameter's `gradient` and returns ∂loss/∂input in a
    /// buffer taken from `workspace`, or nil when `needsInputGradient` is false (the first layer
    /// skips that work). `outputGradient` is not changed.
    func backward(_ outputGradient: Tensor, needsInputGradient: Bool, in workspace: Workspace) -> Tensor?
    /// `backward(outputGradient, needsInputGradient:, in:)` with a workspace of the layer's own
    /// choosing; the returned ∂loss/∂input is the caller's to keep.
    func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor?
    /// Every parameter below this layer, with a dotted path such as `3.weight`.
    func namedParameters(prefix: String) -> [(name: String, parameter: Parameter)]
    /// One summary row per leaf layer: path, description, output shape, parameter count.
    func summaryRows(prefix: String, input: [Int]) -> [SummaryRow]
}

/// One line of a model summary.
public struct SummaryRow: Equatable, Sendable {
    /// Dotted position in the model, e.g. `3` or `5.body.0`.
    public let path: String
    /// The layer's description, e.g. `Linear(784→300)`.
    public let layer: String
    /// Output shape for the summarised input, batch axis first.
    public let outputShape: [Int]
    /// Number of trainable numbers in the layer.
    public let parameterCount: Int
}

extension Layer {
    /// No parameters, unless the layer says otherwise.
    public var parameters: [Parameter] { [] }

    /// The output is read again, unless the layer says otherwise (the safe answer).
    public var keepsOutput: Bool { true }

    /// The pass with a workspace of its own for its scratch (made for this call and freed after it).
    public func forward(_ input: Tensor, training: Bool) -> Tensor { forward(input, training: training, in: Workspace()) }

    /// The pass with a workspace of its own (made for this call), whose ∂loss/∂input buffer the caller keeps.
    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        backward(outputGradient, needsInputGradient: needsInputGradient, in: Workspace())
    }

    /// The layer's own parameters named `prefix.role` (or `role` at the top).
    public func namedParameters(prefix: String) -> [(name: String, parameter: Parameter)] {
        parameters.map { (prefix.isEmpty ? $0.role : "\(prefix).\($0.role)", $0) }
    }

    /// One row for this (leaf) layer.
    public func summaryRows(prefix: String, input: [Int]) -> [SummaryRow] {
        [SummaryRow(path: prefix, layer: description, outputShape: outputShape(for: input),
                    parameterCount: parameters.reduce(0) { $0 + $1.count })]
    }
}

/// A layer whose forward pass can write its output over its input (BatchNorm, ReLU): `Sequential`
/// lets it when the input is an output its layer does not keep (`keepsOutput` false) and no other
/// layer reads, which saves the memory of one activation.
protocol OverwritingLayer: Layer {
    /// The output of `forward(x, training:, in:)`; when `overwriting`, written over x, which the
    /// layer then keeps as its output, as it keeps its own buffer otherwise.
    func forward(_ x: Tensor, training: Bool, in workspace: Workspace, overwriting: Bool) -> Tensor
}
