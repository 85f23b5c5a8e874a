import Simplex

/// The paper's initialisation (docs/paper-notes.md §6): Xavier-uniform U(−a, a), a = √(6/(fan_in + fan_out)),
/// for tensors of rank ≥ 2, and N(0, 0.1²) for rank-1 tensors (biases). BatchNorm keeps γ = 1, β = 0.
/// Parameters are drawn in forward order of the layers, weight before bias, each in storage order.
public func initialize(_ model: any Layer, using random: RandomSource) {
    for layer in leafLayers(model) where !(layer is BatchNorm) {
        for parameter in layer.parameters {
            InitialDistribution(shape: parameter.value.shape).draw(into: parameter.value.data, count: parameter.count, using: random)
        }
    }
}

/// The distribution the reference code (PyTorch's `xavier_uniform_` and `normal_(std=0.1)`) draws a
/// parameter from, for a parameter of a layer with `widening` times its outputs: the reference code's
/// lifted layers (an nn.Linear / nn.Conv2d with d times the outputs) initialise ũ this way with
/// widening d (`init=independent`).
public enum InitialDistribution: Equatable, Sendable {
    /// Xavier-uniform U(−bound, bound).
    case uniform(bound: Double)
    /// N(0, σ²).
    case gaussian(sigma: Double)

    /// Xavier-uniform for rank ≥ 2 with fan_in and fan_out as PyTorch computes them for the layer
    /// with `widening` times the outputs: for W [out, in] (in, widening·out); for a conv kernel
    /// [O, K, K, C] (K·K·C, widening·O·K·K). N(0, 0.1²) for rank 1, whatever the widening.
    public init(shape: [Int], widening: Int = 1) {
        precondition(!shape.isEmpty && widening >= 1, "an initial distribution needs a shape and a positive widening")
        guard shape.count >= 2 else {
            self = .gaussian(sigma: 0.1)
            return
        }
        let receptive = shape.count == 4 ? shape[1] * shape[2] : 1
        let fanIn = shape.count == 4 ? receptive * shape[3] : shape[1]
        let fanOut = widening * shape[0] * receptive
        self = .uniform(bound: (6 / Double(fanIn + fanOut)).squareRoot())
    }

    /// Fills `count` floats at `values` with independent draws from `random`, in index order.
    public func draw(into values: UnsafeMutablePointer<Float>, count: Int, using random: RandomSource) {
        switch self {
        case .uniform(let bound): for i in 0 ..< count { values[i] = Float(random.uniform(-bound, bound)) }
        case .gaussian(let sigma): for i in 0 ..< count { values[i] = Float(random.gaussian(sigma: sigma)) }
        }
    }
}

/// Every non-container layer below `layer`, in forward order.
public func leafLayers(_ layer: any Layer) -> [any Layer] { namedLeafLayers(layer).map(\.layer) }

/// Every non-container layer below `layer`, in forward order, with its dotted path as
/// `namedParameters` spells it (`3`, `5.body.0`; `prefix` itself for a leaf `layer`).
public func namedLeafLayers(_ layer: any Layer, prefix: String = "") -> [(path: String, layer: any Layer)] {
    func path(_ part: String) -> String { prefix.isEmpty ? part : "\(prefix).\(part)" }
    if let sequence = layer as? Sequential {
        return sequence.layers.enumerated().flatMap { namedLeafLayers($1, prefix: path("\($0)")) }
    }
    if let block = layer as? Residual {
        return namedLeafLayers(block.body, prefix: path("body")) + (block.shortcut.map { namedLeafLayers($0, prefix: path("shortcut")) } ?? [])
    }
    return [(prefix, layer)]
}
