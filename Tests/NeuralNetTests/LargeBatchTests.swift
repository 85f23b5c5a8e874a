import NeuralNet
import Simplex
import Testing

/// Inputs large enough that BatchNorm, convolution and pooling split their work across the worker
/// team (blocks, columns and images in several chunks), checked against plain double-precision
/// loops written from the formulas.
@Suite struct LargeBatchTests {
    let random = RandomSource(seed: 11)

    func values(_ count: Int) -> [Float] { (0 ..< count).map { _ in Float(random.gaussian(sigma: 1)) } }

    /// Training-mode BatchNorm with 20 and 50 channels (not multiples of 8) over 100·12·12 rows:
    /// y = γ(x − μ)/√(σ² + ε) + β and ∂x = γ/σ · (∂y − mean ∂y − x̂ · mean(∂y x̂)).
    @Test(arguments: [20, 50])
    func batchNormMatchesTheFormula(channels: Int) {
        let shape = [100, 12, 12, channels], rows = 100 * 12 * 12
        let x = values(rows * channels), dy = values(rows * channels)
        let norm = BatchNorm(channels)
        norm.weight!.value.assign((0 ..< channels).map { 0.5 + Float($0) / Float(channels) })
        norm.bias!.value.assign((0 ..< channels).map { Float($0) / 10 - 1 })
        let y = norm.forward(Tensor(shape: shape, values: x), training: true).array
        let dx = norm.backward(Tensor(shape: shape, values: dy), needsInputGradient: true)!.array
        var worst = (y: 0.0, dx: 0.0, gamma: 0.0)
        for j in 0 ..< channels {
            let column = (0 ..< rows).map { Double(x[$0 * channels + j]) }, g = (0 ..< rows).map { Double(dy[$0 * channels + j]) }
            let mean = column.reduce(0, +) / Double(rows)
            let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(rows)
            let sigma = (variance + 1e-5).squareRoot()
            let normalized = column.map { ($0 - mean) / sigma }
            let (gamma, beta) = (Double(norm.weight!.value[j]), Double(norm.bias!.value[j]))
            let meanG = g.reduce(0, +) / Double(rows), meanGH = zip(g, normalized).map(*).reduce(0, +) / Double(rows)
            for r in 0 ..< rows {
                worst.y = max(worst.y, abs(Double(y[r * channels + j]) - (gamma * normalized[r] + beta)))
                let expected = gamma / sigma * (g[r] - meanG - normalized[r] * meanGH)
                worst.dx = max(worst.dx, abs(Double(dx[r * channels + j]) - expected))
            }
            worst.gamma = max(worst.gamma, abs(Double(norm.weight!.gradient[j]) - meanGH * Double(rows)) / Double(rows))
        }
        // Float sums of 14 400 unit-variance terms: relative error ~1e-6 on values of order 1.
        #expect(worst.y < 1e-4 && worst.dx < 1e-4 && worst.gamma < 1e-5, "\(worst)")
    }

    /// 5×5 convolutions on 12×12 images — LeNet-5's first layer shape (1 → 20 channels, 100
    /// images: ∂W split along the batch) and its second (20 → 50 channels, 12 images: ∂x formed a
    /// few images at a time, with a partial last group) — against direct sums: output, weight,
    /// bias and input gradients.
    @Test(arguments: [(100, 1, 20), (12, 20, 50)])
    func convolutionMatchesDirectSums(images n: Int, inputs c: Int, outputs out: Int) {
        let (h, w, k) = (12, 12, 5)
        let conv = Conv2d(c, out, kernel: k)
        initialize(conv, using: random)
        let x = values(n * h * w * c), oh = h - k + 1, ow = w - k + 1
        let dy = values(n * oh * ow * out)
        let y = conv.forward(Tensor(shape: [n, h, w, c], values: x), training: true).array
        let dx = conv.backward(Tensor(shape: [n, oh, ow, out], values: dy), needsInputGradient: true)!.array
        let weight = conv.weight.value.array, bias = conv.bias!.value.array
        var dw = [Double](repeating: 0, count: out * k * k * c), db = [Double](repeating: 0, count: out)
        var expectedDx = [Double](repeating: 0, count: n * h * w * c)
        var worstY = 0.0
        for image in 0 ..< n {
            for oy in 0 ..< oh {
                for ox in 0 ..< ow {
                    for o in 0 ..< out {
                        let at = ((image * oh + oy) * ow + ox) * out + o
                        var sum = Double(bias[o])
                        db[o] += Double(dy[at])
                        for ky in 0 ..< k {
                            for kx in 0 ..< k {
                                for ch in 0 ..< c {
                                    let pixel = ((image * h + oy + ky) * w + ox + kx) * c + ch, tap = ((o * k + ky) * k + kx) * c + ch
                                    sum += Double(weight[tap]) * Double(x[pixel])
                                    dw[tap] += Double(dy[at]) * Double(x[pixel])
                                    expectedDx[pixel] += Double(dy[at]) * Double(weight[tap])
                                }
                            }
                        }
                        worstY = max(worstY, abs(Double(y[at]) - sum))
                    }
                }
            }
        }
        let worstW = zip(conv.weight.gradient.array, dw).map { abs(Double($0) - $1) }.max()!
        let worstB = zip(conv.bias!.gradient.array, db).map { abs(Double($0) - $1) }.max()!
        let worstX = zip(dx, expectedDx).map { abs(Double($0) - $1) }.max()!
        // ∂W and ∂b sum up to 6 400 products of order 1 (error ~1e-3 absolute in Float); y and ∂x
        // sum up to 25·50 products of order 0.1–1.
        #expect(worstY < 1e-4 * Double(c) && worstX < 1e-3 && worstW < 1e-2 && worstB < 1e-2, "\(worstY) \(worstX) \(worstW) \(worstB)")
    }
}
