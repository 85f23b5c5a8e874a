import NeuralNet
import Simplex
import Testing

@Suite struct ModelTests {
    /// Parameter counts worked out by hand from docs/paper-notes.md §6 (weights and biases; BN has none).
    @Test func lenetParameterCounts() {
        let lenet300 = Architecture.lenet300.build(imageShape: [28, 28, 1], classes: 10)
        #expect(count(lenet300) == (784 * 300 + 300) + (300 * 100 + 100) + (100 * 10 + 10))
        let lenet5 = Architecture.lenet5.build(imageShape: [28, 28, 1], classes: 10)
        #expect(count(lenet5) == (20 * 25 + 20) + (50 * 500 + 50) + (800 * 500 + 500) + (500 * 10 + 10))
        #expect(summary(of: lenet5, imageShape: [28, 28, 1]).contains("total parameters: \(count(lenet5))"))
    }

    /// VGG-16 and ResNet-18 on CIFAR-sized input: output shape, parameter count, and one
    /// forward/backward pass producing finite gradients everywhere.
    @Test func cifarNetworksRunForwardAndBackward() {
        let vggConvolutions = [(3, 64), (64, 64), (64, 128), (128, 128), (128, 256), (256, 256), (256, 256),
                               (256, 512), (512, 512), (512, 512), (512, 512), (512, 512), (512, 512)]
        let vggCount = vggConvolutions.reduce(0) { $0 + $1.0 * $1.1 * 9 + $1.1 } + (512 * 512 + 512) * 2 + 512 * 10 + 10
        // ResNet-18: stem, 8 blocks of two 3×3 convs, three 1×1 projections, classifier (no biases, no BN affine).
        var resnetCount = 3 * 64 * 9
        var channels = 64
        for width in [64, 128, 256, 512] {
            resnetCount += channels * width * 9 + width * width * 9 + width * width * 9 * 2 + (channels == width ? 0 : channels * width)
            channels = width
        }
        resnetCount += 512 * 10 + 10
        for (arch, expected) in [(Architecture.vgg16, vggCount), (.resnet18, resnetCount)] {
            let model = arch.build(imageShape: [32, 32, 3], classes: 10)
            #expect(count(model) == expected, "\(arch)")
            initialize(model, using: RandomSource(seed: 1))
            let input = Tensor(shape: [2, 32, 32, 3], values: (0 ..< 2 * 3072).map { Float($0 % 17) / 17 - 0.5 })
            let logits = model.forward(input, training: true)
            #expect(logits.shape == [2, 10])
            let loss = SoftmaxCrossEntropy()
            _ = [Int32(3), 7].withUnsafeBufferPointer { loss(logits, labels: $0) }
            _ = model.backward(loss.gradient, needsInputGradient: false)
            let gradients = model.namedParameters(prefix: "").map(\.parameter.gradient)
            #expect(gradients.allSatisfy { $0.array.allSatisfy(\.isFinite) })
            #expect(gradients.contains { $0.array.contains { $0 != 0 } })
        }
    }

    /// resnet-tiny: its parameters counted by hand (stem 3×3·C·8; blocks 8→8 and 8→16 of two 3×3
    /// convolutions, a 1×1 8→16 shortcut; FC 16→10), the paths of its residual blocks, and the
    /// output shape for square and non-square images (the pool's side is min(⌈H/2⌉, ⌈W/2⌉)).
    @Test func resnetTinyHasItsLayers() {
        for (shape, features) in [([28, 28, 1], 16), ([16, 16, 3], 16), ([20, 12, 1], 16), ([9, 21, 1], 32)] {
            let model = Architecture.resnetTiny.build(imageShape: shape, classes: 10)
            #expect(count(model) == 9 * shape[2] * 8 + 2 * 9 * 8 * 8 + 9 * 8 * 16 + 9 * 16 * 16 + 8 * 16 + features * 10 + 10, "\(shape)")
            #expect(model.outputShape(for: [2] + shape) == [2, 10])
        }
        let paths = Architecture.resnetTiny.build(imageShape: [16, 16, 1], classes: 10).namedParameters(prefix: "").map(\.name)
        #expect(paths == ["0.weight", "3.body.0.weight", "3.body.3.weight", "5.body.0.weight", "5.body.3.weight",
                          "5.shortcut.0.weight", "9.weight", "9.bias"])
    }

    /// Xavier-uniform bounds for weights and the N(0, 0.1²) spread of biases.
    @Test func initializationFollowsThePaper() {
        let model = Sequential([Linear(400, 200), Conv2d(8, 16, kernel: 3)])
        initialize(model, using: RandomSource(seed: 2))
        let linear = model.layers[0] as! Linear, conv = model.layers[1] as! Conv2d
        let linearBound = Float((6.0 / 600).squareRoot()), convBound = Float((6.0 / Double(72 + 144)).squareRoot())
        #expect(linear.weight.value.array.allSatisfy { abs($0) <= linearBound })
        #expect(linear.weight.value.array.map(abs).max()! > 0.95 * linearBound)
        #expect(conv.weight.value.array.allSatisfy { abs($0) <= convBound })
        let bias = linear.bias!.value.array
        let deviation = (bias.map { $0 * $0 }.reduce(0, +) / Float(bias.count)).squareRoot()
        #expect(abs(deviation - 0.1) < 0.02)
    }

    func count(_ model: any Layer) -> Int { model.namedParameters(prefix: "").reduce(0) { $0 + $1.parameter.count } }
}
