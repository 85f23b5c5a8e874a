@testable import NeuralNet
import Simplex
import Testing

/// The memory a training pass shares: gradients and scratch from a `Workspace`, and BatchNorm and
/// ReLU overwriting inputs no one reads again. Sharing must not change a single bit.
@Suite struct WorkspaceTests {
    let random = RandomSource(seed: 31)

    func values(_ count: Int) -> [Float] { (0 ..< count).map { _ in Float(random.gaussian(sigma: 1)) } }

    /// A training pass of `model` on `x` with upstream gradient `dy` in `workspace`: the output, ∂x
    /// and every parameter gradient (∂x given back).
    func pass(_ model: any Layer, _ x: Tensor, _ dy: Tensor, in workspace: Workspace) -> [[Float]] {
        let y = model.forward(x, training: true, in: workspace).array
        let dx = model.backward(dy, needsInputGradient: true, in: workspace)!
        defer { workspace.giveBack(dx) }
        return [y, dx.array] + model.namedParameters(prefix: "").map(\.parameter.gradient.array)
    }

    @Test func takeServesTheSmallestFreeBufferThatFits() {
        let workspace = Workspace()
        let (small, middle, large) = (workspace.take([10]), workspace.take([10, 10]), workspace.take([1_000]))
        [large, small, middle].forEach(workspace.giveBack)
        let fitting = workspace.take([50])
        #expect(fitting === middle && fitting.shape == [50])
        let grown = workspace.take([2_000])
        #expect(grown === large && grown.count == 2_000)
        #expect(workspace.take([3]) === small)
        #expect(workspace.buffers == 3 && workspace.outstanding == 3)
    }

    /// Two networks (residual blocks with both shortcuts, fused convolution blocks) whose passes
    /// interleave in one workspace, twice (so the second time every buffer they take holds the other
    /// network's numbers), get the outputs and gradients each gets alone in a fresh workspace, bit
    /// for bit, and give every buffer back.
    @Test func networksSharingAWorkspaceGetWhatTheyGetAlone() {
        let models = [InferenceTests.smallResNet(), InferenceTests.smallVGG()]
        for model in models { initialize(model, using: random) }
        let xs = [Tensor(shape: [6, 8, 8, 3], values: values(6 * 192)), Tensor(shape: [5, 8, 8, 3], values: values(5 * 192))]
        let dys = [Tensor(shape: [6, 10], values: values(60)), Tensor(shape: [5, 10], values: values(50))]
        let alone = models.indices.map { pass(models[$0], xs[$0], dys[$0], in: Workspace()) }
        let shared = Workspace()
        for _ in 0 ..< 2 {
            let outputs = models.indices.map { models[$0].forward(xs[$0], training: true, in: shared).array }
            let dxs = models.indices.map { models[$0].backward(dys[$0], needsInputGradient: true, in: shared)! }
            for index in models.indices {
                let gradients = models[index].namedParameters(prefix: "").map(\.parameter.gradient.array)
                #expect([outputs[index], dxs[index].array] + gradients == alone[index], "network \(index)")
            }
            dxs.forEach(shared.giveBack)
        }
        #expect(shared.outstanding == 0)
    }

    /// In a `Sequential`, BatchNorm overwrites the convolution's and the Linear layer's outputs and
    /// ReLU the residual sum; the output and gradients are those of the same layers run one at a
    /// time, each into its own buffers, bit for bit.
    @Test func overwritingGivesTheLayersOwnResults() throws {
        let layers: [any Layer] = [
            Conv2d(3, 6, kernel: 3, padding: 1, bias: false), BatchNorm(6, affine: false), ReLU(),
            Residual(Sequential([Conv2d(6, 6, kernel: 3, padding: 1, bias: false), BatchNorm(6, affine: false), ReLU(),
                                 Conv2d(6, 6, kernel: 3, padding: 1, bias: false), BatchNorm(6, affine: false)])), ReLU(),
            Flatten(), Linear(96, 12), BatchNorm(12), ReLU(), Linear(12, 4),
        ]
        let model = Sequential(layers)
        initialize(model, using: random)
        let x = Tensor(shape: [5, 4, 4, 3], values: values(240)), dy = Tensor(shape: [5, 4], values: values(20))
        let y = layers.reduce(x) { $1.forward($0, training: true) }.array
        var gradient = dy
        for layer in layers.reversed() { gradient = try #require(layer.backward(gradient, needsInputGradient: true)) }
        let expected = [y, gradient.array] + model.namedParameters(prefix: "").map(\.parameter.gradient.array)
        #expect(pass(model, x, dy, in: Workspace()) == expected)
    }

    /// Training steps of a small ResNet in one workspace settle at once: the second and later steps
    /// take no new buffer, and the passes hold a few buffers in all, not one per layer.
    @Test func stepsReuseAFewBuffers() {
        let model = InferenceTests.smallResNet(), workspace = Workspace()
        initialize(model, using: random)
        let x = Tensor(shape: [6, 8, 8, 3], values: values(6 * 192)), dy = Tensor(shape: [6, 10], values: values(60))
        _ = pass(model, x, dy, in: workspace)
        let buffers = workspace.buffers
        for _ in 0 ..< 3 { _ = pass(model, x, dy, in: workspace) }
        #expect(workspace.buffers == buffers && workspace.outstanding == 0)
        #expect(buffers <= 7, "\(buffers) buffers for \(leafLayers(model).count) layers")
    }
}
