@testable import NeuralNet
import Simplex
import Testing

/// The inference path (`Layer.infer`, `evaluate`, `accuracy(of:on:)`) against the layers'
/// evaluation-mode `forward` passes run one after another, which the gradient and large-batch tests
/// check against the formulas.
@Suite struct InferenceTests {
    let random = RandomSource(seed: 29)

    func values(_ count: Int, shift: Float = 0) -> [Float] { (0 ..< count).map { _ in shift + Float(random.gaussian(sigma: 1)) } }

    /// Seeded random parameters, and running statistics far from (0, 1) in every BatchNorm: means
    /// of either sign up to 0.3, variances from 0.2 to 2 (so normalising moves and rescales).
    func randomize(_ model: any Layer) {
        initialize(model, using: random)
        for case let norm as BatchNorm in leafLayers(model) {
            norm.setRunningStatistics(mean: (0 ..< norm.features).map { _ in Float(random.uniform(-0.3, 0.3)) },
                                      variance: (0 ..< norm.features).map { _ in Float(random.uniform(0.2, 2)) })
        }
    }

    /// The evaluation-mode output of `layers` run one by one through `forward(_:training: false)`.
    func layerByLayer(_ layers: [any Layer], _ x: Tensor) -> [Float] {
        layers.reduce(x) { $1.forward($0, training: false) }.array
    }

    /// `model.infer` with a fresh workspace: the output, and the workspace after the output is given back.
    func inferred(_ model: any Layer, _ x: Tensor) -> (output: [Float], workspace: Workspace) {
        let workspace = Workspace()
        let y = model.infer(x, in: workspace)
        let output = y.array
        workspace.giveBack(y)
        return (output, workspace)
    }

    /// A ResNet-18-like network on 8×8 RGB images: a 3×3 stem, a BasicBlock with the identity
    /// shortcut, one with stride 2 and a 1×1 convolution + BatchNorm projection, each followed by
    /// ReLU, 4×4 average pooling and a classifier (no convolution biases, BatchNorm without γ, β).
    static func smallResNet() -> Sequential {
        func block(_ c: Int, _ o: Int, stride: Int) -> Residual {
            let body = Sequential([Conv2d(c, o, kernel: 3, stride: stride, padding: 1, bias: false), BatchNorm(o, affine: false), ReLU(),
                                   Conv2d(o, o, kernel: 3, padding: 1, bias: false), BatchNorm(o, affine: false)])
            let shortcut = stride == 1 && c == o ? nil
                : Sequential([Conv2d(c, o, kernel: 1, stride: stride, bias: false), BatchNorm(o, affine: false)])
            return Residual(body, shortcut: shortcut)
        }
        return Sequential([Conv2d(3, 8, kernel: 3, padding: 1, bias: false), BatchNorm(8, affine: false), ReLU(),
                           block(8, 8, stride: 1), ReLU(), block(8, 16, stride: 2), ReLU(),
                           AvgPool2d(4), Flatten(), Linear(16, 10)])
    }

    /// A VGG-like network on 8×8 RGB images: convolution → BatchNorm → ReLU with and without max
    /// pooling, and a classifier with BatchNorm → ReLU between its layers.
    static func smallVGG() -> Sequential {
        Sequential([Conv2d(3, 16, kernel: 3, padding: 1), BatchNorm(16, affine: false), ReLU(),
                    Conv2d(16, 16, kernel: 3, padding: 1), BatchNorm(16, affine: false), ReLU(), MaxPool2d(2),
                    Conv2d(16, 24, kernel: 3, padding: 1), BatchNorm(24, affine: false), ReLU(), MaxPool2d(2),
                    Flatten(), Linear(96, 32), BatchNorm(32, affine: false), ReLU(), Linear(32, 10)])
    }

    /// The four networks of the tests below with their input shapes [H, W, C].
    static let networks: [(name: String, build: @Sendable () -> Sequential, image: [Int])] = [
        ("lenet300", { Architecture.lenet300.build(imageShape: [28, 28, 1], classes: 10) }, [28, 28, 1]),
        ("lenet5", { Architecture.lenet5.build(imageShape: [28, 28, 1], classes: 10) }, [28, 28, 1]),
        ("vgg-like", smallVGG, [8, 8, 3]),
        ("resnet-like", smallResNet, [8, 8, 3]),
    ]

    /// Single layers with the input shape of a training batch and of a larger evaluation batch.
    static let layers: [(name: String, build: @Sendable () -> any Layer, input: [Int])] = [
        ("Linear", { Linear(7, 5) }, [7]),
        ("Conv2d by patches", { Conv2d(3, 4, kernel: 3, stride: 2, padding: 1) }, [6, 6, 3]),
        ("Conv2d direct", { Conv2d(1, 4, kernel: 3) }, [6, 6, 1]),
        ("BatchNorm", { BatchNorm(4) }, [3, 3, 4]),
        ("ReLU", { ReLU() }, [3, 3, 4]),
        ("Flatten", { Flatten() }, [3, 3, 4]),
        ("MaxPool2d", { MaxPool2d(2) }, [4, 4, 3]),
        ("AvgPool2d", { AvgPool2d(2) }, [4, 4, 3]),
        ("Residual", { Residual(Sequential([Linear(6, 6), ReLU()]), shortcut: Sequential([Linear(6, 6)])) }, [6]),
        ("empty Sequential", { Sequential([]) }, [6]),
    ]

    /// Every layer alone: `infer` gives the evaluation-mode `forward` output bit for bit, and an
    /// `infer` on a batch of another size between a training forward pass and its backward pass
    /// leaves that backward pass's gradients (input and parameters) as they were.
    @Test(arguments: 0 ..< 10)
    func everyLayerInfersWithoutTouchingItsTrainingPass(layer index: Int) throws {
        let (name, build, input) = Self.layers[index]
        let layer = build()
        randomize(Sequential([layer]))
        let (batch, other) = (Tensor(shape: [5] + input, values: values(5 * input.reduce(1, *))),
                              Tensor(shape: [9] + input, values: values(9 * input.reduce(1, *))))
        let dy = Tensor(shape: layer.outputShape(for: batch.shape), values: values(layer.outputShape(for: batch.shape).reduce(1, *)))
        func gradients(evaluating: Bool) throws -> [[Float]] {
            _ = layer.forward(batch, training: true)
            if evaluating { _ = inferred(layer, other) }
            let dx = try #require(layer.backward(dy, needsInputGradient: true))
            return [dx.array] + layer.namedParameters(prefix: "").map(\.parameter.gradient.array)
        }
        let plain = try gradients(evaluating: false)
        #expect(try gradients(evaluating: true) == plain, "\(name)")
        #expect(inferred(layer, other).output == layer.forward(other, training: false).array, "\(name)")
    }

    /// Each fused evaluation against its layers, bit for bit (`==`, so up to the sign of a zero):
    /// LeNet-5's two blocks (1 → 20 on 28×28 and 20 → 50 on 12×12: several groups per chunk and
    /// a partial last group), VGG's convolution → BatchNorm → ReLU, ResNet's strided convolution →
    /// BatchNorm without bias, and pooling with overlapping windows and no ReLU (a convolution bias
    /// wherever there is no padding).
    @Test(arguments: [(30, 28, 1, 20, 5, 1, 0, "relu", 2, 2), (30, 12, 20, 50, 5, 1, 0, "relu", 2, 2),
                      (9, 8, 3, 16, 3, 1, 1, "relu", 0, 0), (9, 8, 8, 16, 3, 2, 1, "", 0, 0), (9, 9, 4, 12, 3, 1, 0, "", 3, 2)])
    func fusedConvolutionMatchesTheLayers(images n: Int, side: Int, inputs c: Int, outputs o: Int, kernel: Int, stride: Int,
                                          padding: Int, activation: String, pool: Int, poolStride: Int) throws {
        var layers: [any Layer] = [Conv2d(c, o, kernel: kernel, stride: stride, padding: padding, bias: padding == 0),
                                   BatchNorm(o, affine: false)]
        if activation == "relu" { layers.append(ReLU()) }
        if pool > 0 { layers.append(MaxPool2d(pool, stride: poolStride)) }
        layers.append(Flatten())
        randomize(Sequential(layers))
        let fused = try #require(ConvolutionInference(layers[...]))
        #expect(fused.layerCount == layers.count - 1)
        let x = Tensor(shape: [n, side, side, c], values: values(n * side * side * c, shift: 0.2))
        let workspace = Workspace(), y = fused.infer(x, in: workspace)
        #expect(y.shape == fused.outputShape(for: x.shape))
        let expected = layerByLayer(Array(layers.dropLast()), x)
        #expect(y.array == expected)
        // The training block of the same four layers evaluates through the same pass.
        if let block = ConvolutionBlock(layers[...]) { #expect(block.infer(x, in: workspace).array == expected) }
    }

    /// Only convolution → BatchNorm without γ and β over its channels starts a fused evaluation.
    @Test func onlyThePatternIsFused() {
        let conv = Conv2d(2, 4, kernel: 3)
        #expect(ConvolutionInference([conv, BatchNorm(4)][...]) == nil)
        #expect(ConvolutionInference([conv, BatchNorm(5, affine: false)][...]) == nil)
        #expect(ConvolutionInference([conv, ReLU(), BatchNorm(4, affine: false)][...]) == nil)
        #expect(ConvolutionInference([conv, BatchNorm(4, affine: false), AvgPool2d(2)][...])?.layerCount == 2)
        #expect(ConvolutionInference([conv, BatchNorm(4, affine: false), ReLU(), ReLU()][...])?.layerCount == 3)
    }

    /// Whole networks (fused blocks, BatchNorm → ReLU in one pass, residual blocks with both
    /// shortcuts) give the logits of their layers' evaluation-mode forward passes bit for bit, on a
    /// batch of 37 images; the workspace ends with every buffer given back, and a pass holds at most
    /// three activations (four in a residual block with a projection) and a convolution's chunk
    /// buffers (a Winograd convolution's also its transformed kernels), not one activation per layer.
    @Test(arguments: 0 ..< 4)
    func networksInferTheirLayersEvaluation(network: Int) {
        let (name, build, image) = Self.networks[network]
        let model = build()
        randomize(model)
        let x = Tensor(shape: [37] + image, values: values(37 * image.reduce(1, *), shift: 0.1))
        let expected = model.forward(x, training: false).array
        let (logits, workspace) = inferred(model, x)
        #expect(logits == expected, "\(name)")
        #expect(workspace.outstanding == 0)
        #expect(workspace.buffers <= 5, "\(name): \(workspace.buffers) buffers")
    }

    /// BatchNorm alone and BatchNorm → ReLU, with and without γ and β, on [N, F] and NHWC input:
    /// the values of the layers' evaluation-mode forward passes, and within rounding of the
    /// formula y = γ(x − μ)/√(σ² + ε) + β in double precision with the running μ, σ². (Float
    /// evaluation rounds x − μ, σ² + ε, the square root, the division, the product, γ·x̂ and the
    /// sum once each, so |ŷ − y| ≤ 8u(|γx̂| + |β|) to first order, u = 2⁻²⁴.)
    @Test(arguments: [true, false])
    func batchNormInfersItsEvaluation(affine: Bool) {
        for shape in [[13, 20], [3, 5, 5, 12]] {
            let features = shape.last!, norm = BatchNorm(features, affine: affine)
            randomize(Sequential([norm]))
            if affine {
                norm.weight!.value.assign(values(features))
                norm.bias!.value.assign(values(features))
            }
            let x = Tensor(shape: shape, values: values(shape.reduce(1, *)))
            let y = inferred(norm, x).output
            #expect(y == layerByLayer([norm], x))
            #expect(norm.infer(x, rectified: true, in: Workspace()).array == layerByLayer([norm, ReLU()], x))
            var worst = 0.0
            for (i, value) in y.enumerated() {
                let j = i % features, gamma = Double(norm.weight?.value[j] ?? 1), beta = Double(norm.bias?.value[j] ?? 0)
                let normalized = (Double(x[i]) - Double(norm.runningMean[j])) / (Double(norm.runningVariance[j]) + Double(norm.epsilon)).squareRoot()
                let error = abs(Double(value) - (gamma * normalized + beta)) / (8 * 0x1p-24 * (abs(gamma * normalized) + abs(beta)))
                worst = max(worst, error)
            }
            #expect(worst <= 1, "error \(worst) × the bound")
        }
    }

    /// An evaluation between a training forward pass and its backward pass changes nothing the
    /// backward pass reads: the parameter and input gradients equal those of the same two passes
    /// without it, and the running statistics stay as they were.
    @Test(arguments: 0 ..< 4)
    func inferenceLeavesTheTrainingPassAlone(network: Int) throws {
        let (name, build, image) = Self.networks[network]
        let model = build()
        randomize(model)
        let size = image.reduce(1, *)
        let batch = Tensor(shape: [12] + image, values: values(12 * size)), other = Tensor(shape: [30] + image, values: values(30 * size))
        let dy = Tensor(shape: [12, 10], values: values(120))
        func gradients(evaluating: Bool) throws -> [[Float]] {
            _ = model.forward(batch, training: true)
            let statistics = leafLayers(model).compactMap { $0 as? BatchNorm }.map { $0.runningMean + $0.runningVariance }
            if evaluating {
                _ = inferred(model, other)
                #expect(leafLayers(model).compactMap { $0 as? BatchNorm }.map { $0.runningMean + $0.runningVariance } == statistics)
            }
            let dx = try #require(model.backward(dy, needsInputGradient: true))
            return [dx.array] + model.namedParameters(prefix: "").map(\.parameter.gradient.array)
        }
        let plain = try gradients(evaluating: false)
        #expect(try gradients(evaluating: true) == plain, "\(name)")
    }

    /// The predicted class of every image is the one the layer-by-layer evaluation in batches of
    /// 250 gives (the labels are set to those predictions, so the accuracy is 1), whatever the
    /// batch size: single images, training-size batches, 250, and the whole set at once. The
    /// running statistics are estimated on the images, as `BatchNormCalibration` does, so that the
    /// classes vary from image to image.
    @Test(arguments: 0 ..< 4)
    func batchSizeKeepsEveryPrediction(network: Int) {
        let (name, build, image) = Self.networks[network]
        let model = build()
        randomize(model)
        let count = 613, size = image.reduce(1, *)
        var data = Dataset(images: values(count * size, shift: 0.1), labels: Array(repeating: 0, count: count), imageShape: image,
                           classes: 10)
        BatchNormCalibration(data, batches: 2, batchSize: 100).apply(to: model)
        let loader = BatchLoader(data, batchSize: 250)
        var predictions: [Int32] = []
        for batch in 0 ..< loader.batchesPerEpoch {
            loader.load(batch: batch)
            let logits = model.forward(loader.images, training: false)
            for row in 0 ..< logits.shape[0] {
                predictions.append(Int32(argmax(UnsafeBufferPointer(start: logits.data + row * 10, count: 10))))
            }
        }
        data.labels = predictions
        #expect(Set(predictions).count > 1, "\(name): a network that predicts one class tests nothing")
        for batchSize in [1, 100, 250, 613] {
            #expect(accuracy(of: model, on: data, batchSize: batchSize) == 1, "\(name), batches of \(batchSize)")
        }
    }

    /// Linear layers at every batch size stay within the rounding bound of their products: an
    /// entry y = Σᵢ xᵢwᵢ + b of k products and a bias, summed in any order (OpenBLAS picks its
    /// kernel, and so the order, by the shape of the product) with every operation rounded,
    /// satisfies |ŷ − y| ≤ γ_{k+1} (Σᵢ |xᵢwᵢ| + |b|), γ_n = n·u/(1 − n·u), u = 2⁻²⁴ (Higham,
    /// *Accuracy and Stability of Numerical Algorithms*, §3.1), against a double-precision sum.
    /// Two batch sizes therefore differ by at most twice that; the shapes are LeNet-5's classifier.
    @Test(arguments: [(800, 500), (500, 10)])
    func linearStaysWithinItsRoundingBound(inputs k: Int, outputs o: Int) {
        let layer = Linear(k, o)
        initialize(layer, using: random)
        layer.bias!.value.assign(values(o))
        let n = 70, x = values(n * k), w = layer.weight.value.array, b = layer.bias!.value.array
        let u = 0x1p-24, gamma = Double(k + 1) * u / (1 - Double(k + 1) * u)
        var exact = [Double](repeating: 0, count: n * o), magnitude = exact
        for r in 0 ..< n {
            for j in 0 ..< o {
                var (sum, size) = (Double(b[j]), abs(Double(b[j])))
                for i in 0 ..< k {
                    let product = Double(x[r * k + i]) * Double(w[j * k + i])
                    (sum, size) = (sum + product, size + abs(product))
                }
                (exact[r * o + j], magnitude[r * o + j]) = (sum, size)
            }
        }
        for batch in [1, 7, 64, n] {
            var worst = 0.0
            for start in stride(from: 0, to: n, by: batch) {
                let rows = min(batch, n - start), input = Tensor(shape: [rows, k], values: Array(x[start * k ..< (start + rows) * k]))
                for (offset, value) in inferred(layer, input).output.enumerated() {
                    let entry = start * o + offset
                    worst = max(worst, abs(Double(value) - exact[entry]) / (gamma * magnitude[entry]))
                }
            }
            #expect(worst <= 1, "batches of \(batch): error \(worst) × the bound")
        }
    }
}
