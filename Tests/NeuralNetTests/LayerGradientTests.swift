import NeuralNet
import Simplex
import Testing

@Suite struct LayerGradientTests {
    @Test func linear() {
        checkGradients(Linear(7, 5), inputShape: [4, 7])
        checkGradients(Linear(3, 2, bias: false), inputShape: [6, 3])
    }

    @Test func conv2dWithStrideAndPadding() {
        checkGradients(Conv2d(2, 3, kernel: 3), inputShape: [2, 6, 5, 2])
        checkGradients(Conv2d(3, 4, kernel: 3, stride: 2, padding: 1), inputShape: [2, 7, 7, 3])
        checkGradients(Conv2d(2, 2, kernel: 1, stride: 2, bias: false), inputShape: [1, 4, 4, 2])
    }

    /// Pooling is piecewise linear; distinct, well-separated inputs keep every window's maximum away
    /// from ties, so the step h never changes which element wins.
    @Test func pooling() {
        let count = 2 * 6 * 6 * 3
        let spread = RandomSource(seed: 4).permutation(count).map { Float($0) * 0.05 }
        checkGradients(MaxPool2d(2), inputShape: [2, 6, 6, 3], input: spread)
        let wide = RandomSource(seed: 6).permutation(2 * 4 * 4 * 11).map { Float($0) * 0.05 }
        checkGradients(MaxPool2d(2), inputShape: [2, 4, 4, 11], input: wide)
        checkGradients(MaxPool2d(3, stride: 2), inputShape: [2, 6, 6, 3], input: spread)
        checkGradients(AvgPool2d(2), inputShape: [2, 6, 6, 3])
        checkGradients(AvgPool2d(3, stride: 3), inputShape: [1, 6, 6, 3])
    }

    /// ReLU at inputs bounded away from 0 (|x| ≥ 0.1 > h).
    @Test func reluAndFlatten() {
        let random = RandomSource(seed: 5)
        let values = (0 ..< 40).map { _ in Float(random.uniform(0.1, 1)) * (random.integer(below: 2) == 0 ? -1 : 1) }
        checkGradients(ReLU(), inputShape: [5, 8], input: values)
        checkGradients(Flatten(), inputShape: [2, 2, 3, 2])
    }

    @Test func batchNormInTrainingAndEvaluation() {
        checkGradients(BatchNorm(4), inputShape: [6, 4])
        checkGradients(BatchNorm(3, affine: false), inputShape: [2, 3, 3, 3])
        let norm = BatchNorm(3)
        _ = norm.forward(Tensor(shape: [5, 3], values: (0 ..< 15).map { Float($0 % 7) }), training: true)
        checkGradients(norm, inputShape: [4, 3], training: false)
    }

    @Test func residualWithAndWithoutProjection() {
        checkGradients(Residual(Sequential([Linear(4, 4), BatchNorm(4)])), inputShape: [5, 4])
        checkGradients(Residual(Sequential([Conv2d(2, 3, kernel: 3, stride: 2, padding: 1)]),
                                shortcut: Sequential([Conv2d(2, 3, kernel: 1, stride: 2)])),
                       inputShape: [2, 5, 5, 2])
    }

    @Test func sequentialChainsBackward() {
        checkGradients(Sequential([Conv2d(1, 2, kernel: 3), BatchNorm(2), Flatten(), Linear(18, 3)]), inputShape: [3, 5, 5, 1])
    }
}
