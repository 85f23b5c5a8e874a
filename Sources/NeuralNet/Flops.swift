/// Floating-point operations of the matrix products in one training step, per sample: the forward
/// product of every Linear and Conv2d layer (2·in·out per output position), the weight-gradient
/// product (the same), and the input-gradient product (the same, except for the first layer, whose
/// input gradient is never formed). Elementwise work is not counted: this is the GEMM floor.
public func trainingFlopsPerSample(_ model: any Layer, imageShape: [Int]) -> Double {
    var shape = [1] + imageShape
    var total = 0.0
    var first = true
    func visit(_ layer: any Layer) {
        if let sequence = layer as? Sequential { sequence.layers.forEach(visit); return }
        if let block = layer as? Residual {
            let input = shape
            visit(block.body)
            let output = shape
            shape = input
            if let shortcut = block.shortcut { visit(shortcut) }
            shape = output
            return
        }
        let output = layer.outputShape(for: shape)
        var products = 0.0
        if let linear = layer as? Linear { products = 2 * Double(linear.inputs * linear.outputs) }
        if let conv = layer as? Conv2d {
            products = 2 * Double(conv.kernel * conv.kernel * conv.inChannels * conv.outChannels * output[1] * output[2])
        }
        if products > 0 {
            total += products * (first ? 2 : 3)
            first = false
        }
        shape = output
    }
    visit(model)
    return total
}
