import Simplex

/// The paper's initialisation (docs/paper-notes.md §6): Xavier-uniform U(−a, a), a = √(6/(fan_in + fan_out)),
/// for tensors of rank ≥ 2, and N(0, 0.1²) for rank-1 tensors (biases). BatchNorm keeps γ = 1, β = 0.
/// fan_in = ∏ shape[1...] and fan_out = shape[0] · ∏ shape[1..<rank−1]… as PyTorch computes them:
/// for W [out, in] that is (in, out); for a conv kernel [O, K, K, C], (K·K·C, O·K·K).
public func initialize(_ model: any Layer, using random: RandomSource) {
    for layer in leafLayers(model) where !(layer is BatchNorm) {
        for parameter in layer.parameters {
            let shape = parameter.value.shape
            let values = parameter.value.data
            if shape.count >= 2 {
                let receptive = shape.count == 4 ? shape[1] * shape[2] : 1
                let fanIn = shape.count == 4 ? receptive * shape[3] : shape[1]
                let fanOut = shape[0] * receptive
                let bound = (6 / Double(fanIn + fanOut)).squareRoot()
                for i in 0 ..< parameter.count { values[i] = Float(random.uniform(-bound, bound)) }
            } else {
                for i in 0 ..< parameter.count { values[i] = Float(random.gaussian(sigma: 0.1)) }
            }
        }
    }
}

/// Every non-container layer below `layer`, in forward order.
public func leafLayers(_ layer: any Layer) -> [any Layer] {
    if let sequence = layer as? Sequential { return sequence.layers.flatMap(leafLayers) }
    if let block = layer as? Residual { return leafLayers(block.body) + (block.shortcut.map(leafLayers) ?? []) }
    return [layer]
}
