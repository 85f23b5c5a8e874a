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

    func projectedResidual() -> Residual {
        Residual(Sequential([Conv2d(2, 3, kernel: 3, stride: 2, padding: 1), BatchNorm(3), Conv2d(3, 3, kernel: 3, padding: 1)]),
                 shortcut: Sequential([Conv2d(2, 3, kernel: 1, stride: 2), BatchNorm(3)]))
    }

    @Test func residualWithAndWithoutProjection() {
        let identity = Residual(Sequential([Linear(4, 4), BatchNorm(4), Linear(4, 4)]))
        #expect(identity.namedParameters(prefix: "").count == 6)
        checkGradients(identity, inputShape: [5, 4])
        let projected = projectedResidual()
        #expect(projected.namedParameters(prefix: "").map(\.name) == ["body.0.weight", "body.0.bias", "body.1.weight", "body.1.bias",
                                                                     "body.2.weight", "body.2.bias", "shortcut.0.weight", "shortcut.0.bias",
                                                                     "shortcut.1.weight", "shortcut.1.bias"])
        checkGradients(projected, inputShape: [2, 5, 5, 2])
    }

    @Test func sequentialChainsBackward() {
        let chain = Sequential([Conv2d(1, 2, kernel: 3), BatchNorm(2), Conv2d(2, 2, kernel: 3), Flatten(), Linear(8, 5), BatchNorm(5), Linear(5, 3)])
        #expect(chain.namedParameters(prefix: "").count == 12)
        checkGradients(chain, inputShape: [3, 6, 6, 1])
        checkGradients(Sequential([Sequential([Linear(3, 4), BatchNorm(4)]), projectedResidualDense(), Linear(4, 2)]), inputShape: [4, 3])
    }

    func projectedResidualDense() -> Residual {
        Residual(Sequential([Linear(4, 4), BatchNorm(4), Linear(4, 4)]), shortcut: Sequential([Linear(4, 4)]))
    }

    /// The composite checks see every nested gradient: a planted bug in one inner layer's
    /// gradient — the shortcut's dropped, or two layers' gradients swapped — is caught. (The composites
    /// hold no ReLU or max-pool: their kinks would meet the finite differences' steps; those layers are
    /// checked on their own above.)
    @Test(arguments: [PlantedGradientBug.dropShortcut, .swapBodyLayers])
    func compositeChecksCatchAPlantedBug(_ bug: PlantedGradientBug) {
        withKnownIssue("the planted bug must be reported") {
            checkGradients(PlantedGradientBug.Wrapper(projectedResidualDense(), bug: bug), inputShape: [5, 4])
        }
    }
}

/// A bug planted in a residual block's backward pass, to show the gradient checks catch it.
enum PlantedGradientBug: Sendable {
    /// The shortcut's weight gradient is zeroed.
    case dropShortcut
    /// The weight gradients of the body's two Linear layers are exchanged.
    case swapBodyLayers

    /// A residual block whose backward pass has the bug.
    final class Wrapper: Layer {
        let inner: Residual
        let bug: PlantedGradientBug
        init(_ inner: Residual, bug: PlantedGradientBug) { (self.inner, self.bug) = (inner, bug) }
        var description: String { "planted(\(inner.description))" }
        func outputShape(for input: [Int]) -> [Int] { inner.outputShape(for: input) }
        func forward(_ input: Tensor, training: Bool, in workspace: Workspace) -> Tensor { inner.forward(input, training: training, in: workspace) }
        func infer(_ input: Tensor, in workspace: Workspace) -> Tensor { inner.infer(input, in: workspace) }
        func namedParameters(prefix: String) -> [(name: String, parameter: Parameter)] { inner.namedParameters(prefix: prefix) }
        func backward(_ outputGradient: Tensor, needsInputGradient: Bool, in workspace: Workspace) -> Tensor? {
            let result = inner.backward(outputGradient, needsInputGradient: needsInputGradient, in: workspace)
            let named = Dictionary(uniqueKeysWithValues: inner.namedParameters(prefix: "").map { ($0.name, $0.parameter) })
            switch bug {
            case .dropShortcut:
                named["shortcut.0.weight"]!.gradient.assign([Float](repeating: 0, count: named["shortcut.0.weight"]!.count))
            case .swapBodyLayers:
                let (a, b) = (named["body.0.weight"]!.gradient, named["body.2.weight"]!.gradient)
                let saved = a.array
                a.assign(b.array)
                b.assign(saved)
            }
            return result
        }
    }
}
