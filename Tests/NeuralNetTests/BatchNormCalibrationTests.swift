import NeuralNet
import Simplex
import Testing

/// `BatchNormCalibration` against statistics summed in Double: the average over whole batches, in
/// index order, of each batch's mean and unbiased variance of the BatchNorm's input.
@Suite struct BatchNormCalibrationTests {
    func data(_ n: Int) -> Dataset {
        let random = RandomSource(seed: 5)
        return Dataset(images: (0 ..< n * 6).map { _ in Float(random.gaussian()) * 2 + 0.5 }, labels: (0 ..< n).map { Int32($0 % 2) },
                       imageShape: [1, 6, 1], classes: 2)
    }

    /// Per-feature average of batch means and unbiased batch variances of `x·Wᵀ + b` over the first
    /// `batches` batches of `batchSize` rows.
    func expected(_ data: Dataset, _ linear: Linear, batches: Int, batchSize: Int) -> (mean: [Double], variance: [Double]) {
        let (w, b) = (linear.weight.value.array, linear.bias!.value.array)
        let outputs = b.count, inputs = w.count / outputs
        var mean = [Double](repeating: 0, count: outputs), variance = mean
        for batch in 0 ..< batches {
            let rows = (batch * batchSize ..< (batch + 1) * batchSize).map { r in
                (0 ..< outputs).map { o in (0 ..< inputs).reduce(Double(b[o])) { $0 + Double(w[o * inputs + $1]) * Double(data.images[r * inputs + $1]) } }
            }
            for o in 0 ..< outputs {
                let m = rows.reduce(0.0) { $0 + $1[o] } / Double(batchSize)
                mean[o] += m / Double(batches)
                variance[o] += rows.reduce(0.0) { $0 + ($1[o] - m) * ($1[o] - m) } / Double(batchSize - 1) / Double(batches)
            }
        }
        return (mean, variance)
    }

    @Test func runningStatisticsBecomeTheAverageOfTheCalibrationBatches() {
        let linear = Linear(6, 5)
        let norm = BatchNorm(5, affine: false)
        let model = Sequential([Flatten(), linear, norm, ReLU(), Linear(5, 2)])
        initialize(model, using: RandomSource(seed: 2))
        let train = data(130)
        // 130 images hold 6 whole batches of 20: asking for 9 uses those 6 (the partial one is left out).
        BatchNormCalibration(train, batches: 9, batchSize: 20).apply(to: model)
        let (mean, variance) = expected(train, linear, batches: 6, batchSize: 20)
        #expect(zip(norm.runningMean, mean).allSatisfy { abs(Double($0) - $1) < 1e-4 }, "\(norm.runningMean) vs \(mean)")
        #expect(zip(norm.runningVariance, variance).allSatisfy { abs(Double($0) - $1) < 1e-3 * max(1, $1) })
        // A second estimate does not mix with the first: it starts afresh (here from the first 2 batches).
        BatchNormCalibration(train, batches: 2, batchSize: 20).apply(to: model)
        let (two, _) = expected(train, linear, batches: 2, batchSize: 20)
        #expect(zip(norm.runningMean, two).allSatisfy { abs(Double($0) - $1) < 1e-4 })
        // Afterwards training-mode passes move the statistics by the momentum again.
        let before = norm.runningMean[0]
        let loader = BatchLoader(train, batchSize: 20)
        loader.load(batch: 5)
        _ = model.forward(loader.images, training: true)
        let (batchFive, _) = expected(train.slice(100 ..< 120), linear, batches: 1, batchSize: 20)
        #expect(abs(Double(norm.runningMean[0]) - (Double(before) + 0.1 * (batchFive[0] - Double(before)))) < 1e-4)
    }

    /// A fused convolution block (conv → BatchNorm → ReLU → pool in one `Sequential`) is calibrated
    /// like the same layers run one by one (each in its own `Sequential`, so nothing is fused).
    @Test func fusedConvolutionBlocksAreCalibratedLikeTheirLayers() {
        let random = RandomSource(seed: 3)
        let images = Dataset(images: (0 ..< 40 * 8 * 8).map { _ in Float(random.gaussian()) }, labels: (0 ..< 40).map { Int32($0 % 2) },
                             imageShape: [8, 8, 1], classes: 2)
        let conv = Conv2d(1, 4, kernel: 3), norm = BatchNorm(4, affine: false)
        let fused = Sequential([conv, norm, ReLU(), MaxPool2d(2)])
        initialize(fused, using: random)
        let twinConv = Conv2d(1, 4, kernel: 3), twinNorm = BatchNorm(4, affine: false)
        twinConv.weight.value.assign(conv.weight.value.array)
        twinConv.bias!.value.assign(conv.bias!.value.array)
        let separate = Sequential([Sequential([twinConv]), Sequential([twinNorm]), ReLU(), MaxPool2d(2)])
        let calibration = BatchNormCalibration(images, batches: 3, batchSize: 10)
        calibration.apply(to: fused)
        calibration.apply(to: separate)
        #expect(zip(norm.runningMean, twinNorm.runningMean).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
        #expect(zip(norm.runningVariance, twinNorm.runningVariance).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
        #expect(norm.runningMean != [0, 0, 0, 0])
    }
}
