import NeuralNet
import Simplex

/// Rows (uⱼ, ∂L̃/∂uⱼ) of a real network's mini-batch gradient: an MLP on 28×28 inputs whose every
/// weight is w = ⟨uⱼ, q⟩ for binary levels and a random interior uⱼ, one forward/backward pass of
/// softmax cross-entropy on a batch of 64 random images with random labels; ∂L̃/∂uⱼ = (∂L/∂wⱼ) q.
func networkGradient(random: RandomSource) -> [(u: [Double], g: [Double])] {
    let q = QuantizationLevels.binary.values
    let model = Architecture.mlp.build(imageShape: [28, 28, 1], classes: 10)
    let parameters = model.namedParameters(prefix: "").map(\.parameter)
    var rows: [[Double]] = []
    for parameter in parameters {
        for i in 0 ..< parameter.count {
            let u = interiorPoint(2, random)
            rows.append(u)
            parameter.value[i] = Float(dot(u, q))
        }
    }
    let images = Tensor(shape: [64, 28, 28, 1], values: (0 ..< 64 * 784).map { _ in Float(random.gaussian()) })
    let labels = (0 ..< 64).map { _ in Int32(random.integer(below: 10)) }
    let loss = SoftmaxCrossEntropy()
    _ = labels.withUnsafeBufferPointer { loss(model.forward(images, training: true), labels: $0) }
    _ = model.backward(loss.gradient, needsInputGradient: false)
    let gradients = parameters.flatMap(\.gradient.array)
    return zip(rows, gradients).map { u, gw in (u, q.map { Double(gw) * $0 }) }
}
