import NeuralNet
import Simplex
import Testing

/// Central finite differences of the scalar L = Σ cᵢ yᵢ (fixed random c) against a layer's
/// backward pass, for the input and every parameter below the layer (nested ones of `Sequential`
/// and `Residual` included, each set to random values first).
///
/// Tolerance: the layers compute in Float (ε ≈ 6e-8). With step h = 1e-2 the rounding error of a
/// difference quotient is about ε·|L|/h ≈ 1e-5·|L| and the truncation error O(h²·L''') is of the same
/// order for these smooth-or-piecewise-linear layers, so we allow a relative error of 2e-3 in the
/// gradient's norm and 1e-2·‖g‖∞ per entry, plus the rounding noise 10·ε·|L|/h as an absolute floor
/// (per entry; √n of it for the norm) so that gradients which are exactly zero compare; a wrong
/// backward (a missing term, a transposed index) is off by O(1). L is accumulated in Double so the sum adds no rounding of its own.
func checkGradients(_ layer: any Layer, inputShape: [Int], training: Bool = true, seed: UInt = 1,
                    input values: [Float]? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    let random = RandomSource(seed: seed)
    let input = Tensor(shape: inputShape, values: values ?? (0 ..< inputShape.reduce(1, *)).map { _ in Float(random.uniform(-1, 1)) })
    let parameters = layer.namedParameters(prefix: "").map(\.parameter)
    for parameter in parameters where parameter.role == "weight" || parameter.role == "bias" {
        parameter.value.assign((0 ..< parameter.count).map { _ in Float(random.uniform(-0.8, 0.8)) })
    }
    let outputCount = layer.outputShape(for: inputShape).reduce(1, *)
    let weights = (0 ..< outputCount).map { _ in Float(random.uniform(-1, 1)) }
    func objective() -> Double {
        let y = layer.forward(input, training: training)
        return (0 ..< y.count).reduce(0.0) { $0 + Double(weights[$1]) * Double(y[$1]) }
    }
    let value = objective()
    // Rounding noise of a difference quotient at this |L| (10 ε |L| / h), an absolute floor for
    // gradients that are zero (a bias before BatchNorm in training mode).
    let noise = 10 * Double(Float.ulpOfOne) * max(1, abs(value)) / 1e-2
    let upstream = Tensor(shape: layer.outputShape(for: inputShape), values: weights)
    let analyticInput = layer.backward(upstream, needsInputGradient: true)!.array
    let analyticParameters = parameters.map(\.gradient.array)

    func numeric(_ tensor: Tensor) -> [Float] {
        let h: Float = 1e-2
        return (0 ..< tensor.count).map { i in
            let saved = tensor[i]
            tensor[i] = saved + h
            let plus = objective()
            tensor[i] = saved - h
            let minus = objective()
            tensor[i] = saved
            return Float((plus - minus) / Double(2 * h))
        }
    }
    func compare(_ analytic: [Float], _ numeric: [Float], _ what: String) {
        let norm = analytic.map { Double($0 * $0) }.reduce(0, +).squareRoot()
        let error = zip(analytic, numeric).map { Double(($0 - $1) * ($0 - $1)) }.reduce(0, +).squareRoot()
        let largest = Double(analytic.map(abs).max() ?? 0)
        let worst = zip(analytic, numeric).map { Double(abs($0 - $1)) }.max() ?? 0
        #expect(error <= 2e-3 * norm + noise * Double(analytic.count).squareRoot(), "\(layer.description) \(what): ‖Δ‖ = \(error), ‖g‖ = \(norm)", sourceLocation: sourceLocation)
        #expect(worst <= 1e-2 * largest + noise, "\(layer.description) \(what): worst entry off by \(worst)", sourceLocation: sourceLocation)
    }
    compare(analyticInput, numeric(input), "input")
    for (parameter, analytic) in zip(parameters, analyticParameters) {
        compare(analytic, numeric(parameter.value), parameter.role)
    }
}
