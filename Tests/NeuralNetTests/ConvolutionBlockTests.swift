@testable import NeuralNet
import Simplex
import Testing

/// The fused convolution → BatchNorm → ReLU → max-pool block against the same four layers run one
/// after another, on inputs large enough that every pass splits its images across the cores and
/// works through several groups per core (with a partial last group).
@Suite struct ConvolutionBlockTests {
    let random = RandomSource(seed: 23)

    func values(_ count: Int, shift: Float = 0) -> [Float] { (0 ..< count).map { _ in shift + Float(random.gaussian(sigma: 1)) } }

    /// The four layers with the same parameters: one set fused, one run layer by layer.
    func pair(_ c: Int, _ o: Int, kernel: Int, padding: Int) -> (fused: [any Layer], plain: [any Layer]) {
        func layers() -> [any Layer] {
            [Conv2d(c, o, kernel: kernel, padding: padding), BatchNorm(o, affine: false), ReLU(), MaxPool2d(2)]
        }
        let (fused, plain) = (layers(), layers())
        initialize(fused[0], using: random)
        for (a, b) in zip(fused[0].parameters, plain[0].parameters) { b.value.assign(a.value.array) }
        // A bias far from zero, so the batch mean is large beside the spread.
        fused[0].parameters[1].value.assign((0 ..< o).map { Float($0) - 3 })
        plain[0].parameters[1].value.assign((0 ..< o).map { Float($0) - 3 })
        return (fused, plain)
    }

    /// Largest |a − b| relative to the largest |b|.
    func gap(_ a: [Float], _ b: [Float]) -> Double {
        let scale = max(1e-30, b.map { abs(Double($0)) }.max()!)
        return zip(a, b).map { abs(Double($0) - Double($1)) }.max()! / scale
    }

    /// LeNet-5's two blocks (1 → 20 on 28×28, 20 → 50 on 12×12, 100 images) and a padded 3×3
    /// block whose 9×9 output leaves a row and a column out of the pooling: output, ∂x, ∂W, ∂b
    /// and the running statistics, then an evaluation pass with those statistics. (Only scalar
    /// expectations: a failing comparison of whole arrays would print a diff of millions of floats.)
    @Test(arguments: [(100, 28, 1, 20, 5, 0), (100, 12, 20, 50, 5, 0), (7, 9, 3, 12, 3, 1)])
    func fusedBlockMatchesTheLayers(images n: Int, side: Int, inputs c: Int, outputs o: Int, kernel: Int, padding: Int) throws {
        let (fusedLayers, plain) = pair(c, o, kernel: kernel, padding: padding)
        let block = try #require(ConvolutionBlock(fusedLayers[...]))
        let shape = [n, side, side, c], x = values(n * side * side * c, shift: 0.5)
        let y = block.forward(Tensor(shape: shape, values: x), training: true).array
        let expected = plain.reduce(Tensor(shape: shape, values: x)) { $1.forward($0, training: true) }.array
        #expect(y.count == expected.count)
        #expect(gap(y, expected) < 1e-4)
        // The two passes' batch means differ in their last bits, so an output within rounding of
        // zero may pass ReLU in one and not the other; such outputs get no gradient here.
        let dp = zip(values(y.count), zip(y, expected)).map { g, pair in min(pair.0, pair.1) <= 0 && max(pair.0, pair.1) > 0 ? 0 : g }
        let dx = try #require(block.backward(Tensor(shape: block.outputShape(for: shape), values: dp), needsInputGradient: true)).array
        var gradient: Tensor? = Tensor(shape: block.outputShape(for: shape), values: dp)
        for layer in plain.reversed() { gradient = layer.backward(gradient!, needsInputGradient: true) }
        #expect(gap(dx, gradient!.array) < 1e-4)
        // ∂b = Σ∂y is zero up to rounding (BatchNorm removes the mean), so it is compared on ∂W's scale.
        let gradients = { (layers: [any Layer]) in layers[0].parameters.flatMap(\.gradient.array) }
        #expect(gap(gradients(fusedLayers), gradients(plain)) < 1e-4)
        let (fusedNorm, plainNorm) = (fusedLayers[1] as! BatchNorm, plain[1] as! BatchNorm)
        #expect(gap(fusedNorm.runningMean, plainNorm.runningMean) < 1e-6)
        #expect(gap(fusedNorm.runningVariance, plainNorm.runningVariance) < 1e-5)
        let evaluated = block.forward(Tensor(shape: shape, values: x), training: false).array
        let plainEvaluated = plain.reduce(Tensor(shape: shape, values: x)) { $1.forward($0, training: false) }.array
        // The running statistics agree to rounding, so the evaluated outputs do too.
        #expect(gap(evaluated, plainEvaluated) < 1e-5)
    }

    /// Without ∂x (a first layer), the block still forms the convolution's ∂W.
    @Test func firstLayerSkipsTheInputGradient() throws {
        let (fusedLayers, plain) = pair(1, 20, kernel: 5, padding: 0)
        let block = try #require(ConvolutionBlock(fusedLayers[...]))
        let shape = [10, 28, 28, 1], x = values(10 * 28 * 28)
        let outputShape = block.outputShape(for: shape), dp = values(outputShape.reduce(1, *))
        _ = block.forward(Tensor(shape: shape, values: x), training: true)
        #expect(block.backward(Tensor(shape: outputShape, values: dp), needsInputGradient: false) == nil)
        var gradient: Tensor? = Tensor(shape: outputShape, values: dp)
        _ = plain.reduce(Tensor(shape: shape, values: x)) { $1.forward($0, training: true) }
        for layer in plain.reversed() { gradient = layer.backward(gradient!, needsInputGradient: true) }
        #expect(gap(fusedLayers[0].parameters[0].gradient.array, plain[0].parameters[0].gradient.array) < 1e-4)
    }

    /// Only Conv2d, BatchNorm without γ and β, ReLU, MaxPool2d with windows that do not overlap is fused.
    @Test func onlyThePatternIsFused() {
        let conv = Conv2d(1, 4, kernel: 3)
        #expect(ConvolutionBlock([conv, BatchNorm(4), ReLU(), MaxPool2d(2)][...]) == nil)
        #expect(ConvolutionBlock([conv, BatchNorm(4, affine: false), ReLU()][...]) == nil)
        #expect(ConvolutionBlock([conv, BatchNorm(4, affine: false), ReLU(), AvgPool2d(2)][...]) == nil)
        #expect(ConvolutionBlock([conv, BatchNorm(4, affine: false), ReLU(), MaxPool2d(2)][...]) != nil)
        #expect(ConvolutionBlock([conv, BatchNorm(4, affine: false), ReLU(), MaxPool2d(3, stride: 2)][...]) == nil)
    }

    /// Moments built from uneven parts equal the two-pass mean and squared deviations of all rows,
    /// on values far from zero (where Σx² − n·μ² would lose most digits).
    @Test func momentsCombineLikeOnePass() {
        let rows = 1_000, data = values(rows * 3, shift: 1_000).map(Double.init)
        var moments = ChannelMoments(channels: 3)
        var start = 0
        for size in [1, 7, 300, 692] {
            let part = start ..< start + size
            let means = (0 ..< 3).map { j in part.map { data[$0 * 3 + j] }.reduce(0, +) / Double(size) }
            let squares = (0 ..< 3).map { j in part.map { (data[$0 * 3 + j] - means[j]) * (data[$0 * 3 + j] - means[j]) }.reduce(0, +) }
            moments.add(rows: size, mean: { means[$0] }, squares: { squares[$0] })
            start += size
        }
        for j in 0 ..< 3 {
            let column = (0 ..< rows).map { data[$0 * 3 + j] }, mean = column.reduce(0, +) / Double(rows)
            let squares = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +)
            #expect(moments.count == Double(rows))
            #expect(abs(moments.mean[j] - mean) < 1e-9 && abs(moments.squares[j] - squares) < 1e-9 * squares)
        }
    }
}
