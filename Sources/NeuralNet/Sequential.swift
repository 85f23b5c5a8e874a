/// Layers applied one after another; itself a layer, so blocks nest.
///
/// The forward pass lets BatchNorm and ReLU write their output over an input that no one reads
/// again (the output of a layer that does not keep it, `keepsOutput`: a convolution's before
/// BatchNorm, a residual sum's before ReLU). The backward pass gives each layer's ∂x back to the
/// workspace once the layer before has read it, so a chain holds two gradients at a time. Passes
/// given no workspace use the network's own, which keeps the buffers from one step to the next.
public final class Sequential: Layer {
    /// The layers in order; parameter paths use their indices.
    public let layers: [any Layer]

    /// The buffers of the passes that are given no workspace.
    private let workspace = Workspace()

    /// Whether any layer before layer i has parameters: only then must layer i pass a gradient back.
    private let trainableBefore: [Bool]

    /// The layers as they run, each with the index of its first layer: every run of convolution,
    /// BatchNorm without γ and β, ReLU and max pooling as one `ConvolutionBlock`, the others alone.
    private let stages: [(first: Int, layer: any Layer)]

    /// The layers as `infer` runs them: convolution → BatchNorm without γ and β (→ ReLU) (→ max
    /// pooling) as one `ConvolutionInference`, BatchNorm → ReLU as one pass, the others alone.
    private let inferenceStages: [(Tensor, Workspace) -> Tensor]

    /// A chain of `layers`, applied first to last.
    public init(_ layers: [any Layer]) {
        self.layers = layers
        var seen = false
        trainableBefore = layers.map { layer in
            defer { seen = seen || !layer.namedParameters(prefix: "").isEmpty }
            return seen
        }
        var stages: [(first: Int, layer: any Layer)] = []
        var index = 0
        while index < layers.count {
            if let block = ConvolutionBlock(layers[index...]) {
                stages.append((index, block))
                index += 4
            } else {
                stages.append((index, layers[index]))
                index += 1
            }
        }
        self.stages = stages
        var inferenceStages: [(Tensor, Workspace) -> Tensor] = []
        index = 0
        while index < layers.count {
            if let fused = ConvolutionInference(layers[index...]) {
                inferenceStages.append(fused.infer)
                index += fused.layerCount
            } else if let norm = layers[index] as? BatchNorm, index + 1 < layers.count, layers[index + 1] is ReLU {
                inferenceStages.append { norm.infer($0, rectified: true, in: $1) }
                index += 2
            } else {
                inferenceStages.append(layers[index].infer)
                index += 1
            }
        }
        self.inferenceStages = inferenceStages
    }

    public var description: String { "Sequential(\(layers.count))" }

    public func outputShape(for input: [Int]) -> [Int] {
        layers.reduce(input) { $1.outputShape(for: $0) }
    }

    public var keepsOutput: Bool { stages.last?.layer.keepsOutput ?? true }

    public func forward(_ input: Tensor, training: Bool) -> Tensor { forward(input, training: training, in: workspace) }

    public func forward(_ input: Tensor, training: Bool, in workspace: Workspace) -> Tensor {
        var x = input, disposable = false
        for (_, layer) in stages {
            if disposable, let overwriting = layer as? any OverwritingLayer {
                x = overwriting.forward(x, training: training, in: workspace, overwriting: true)
            } else {
                x = layer.forward(x, training: training, in: workspace)
            }
            disposable = !layer.keepsOutput
        }
        return x
    }

    /// Each stage's output is given back to `workspace` once the next stage has read it, so the
    /// pass holds two activations at a time (and what a residual block keeps beside them).
    public func infer(_ input: Tensor, in workspace: Workspace) -> Tensor {
        var x = input
        for stage in inferenceStages {
            let y = stage(x, workspace)
            if x !== input { workspace.giveBack(x) }
            x = y
        }
        guard x === input else { return x }
        let copy = workspace.take(input.shape)
        copy.data.update(from: input.data, count: input.count)
        return copy
    }

    /// Without a workspace, ∂loss/∂input, when asked for, comes from a workspace made for the call
    /// (so that it is the caller's to keep); a training step, which does not ask for it, uses the
    /// network's own.
    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        backward(outputGradient, needsInputGradient: needsInputGradient, in: needsInputGradient ? Workspace() : workspace)
    }

    /// Layers before the first one with parameters are skipped unless the caller needs ∂loss/∂input
    /// (e.g. LeNet-300's first Linear never forms the gradient of the flattened image).
    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool, in workspace: Workspace) -> Tensor? {
        var gradient = outputGradient
        for (first, layer) in stages.reversed() {
            let needed = trainableBefore[first] || needsInputGradient
            let next = layer.backward(gradient, needsInputGradient: needed, in: workspace)
            if gradient !== outputGradient { workspace.giveBack(gradient) }
            guard let next else { return nil }
            gradient = next
        }
        guard gradient === outputGradient else { return gradient }
        let copy = workspace.take(gradient.shape)
        copy.data.update(from: gradient.data, count: gradient.count)
        return copy
    }

    public func namedParameters(prefix: String) -> [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { $1.namedParameters(prefix: prefix.isEmpty ? "\($0)" : "\(prefix).\($0)") }
    }

    public func summaryRows(prefix: String, input: [Int]) -> [SummaryRow] {
        var shape = input
        var rows: [SummaryRow] = []
        for (index, layer) in layers.enumerated() {
            rows += layer.summaryRows(prefix: prefix.isEmpty ? "\(index)" : "\(prefix).\(index)", input: shape)
            shape = layer.outputShape(for: shape)
        }
        return rows
    }
}
