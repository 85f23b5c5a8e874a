/// Layers applied one after another; itself a layer, so blocks nest.
public final class Sequential: Layer {
    /// The layers in order; parameter paths use their indices.
    public let layers: [any Layer]

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

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        stages.reduce(input) { $1.layer.forward($0, training: training) }
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

    /// Layers before the first one with parameters are skipped unless the caller needs ∂loss/∂input
    /// (e.g. LeNet-300's first Linear never forms the gradient of the flattened image).
    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        var gradient = outputGradient
        for (first, layer) in stages.reversed() {
            let needed = trainableBefore[first] || needsInputGradient
            guard let next = layer.backward(gradient, needsInputGradient: needed) else { return nil }
            gradient = next
        }
        return gradient
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
