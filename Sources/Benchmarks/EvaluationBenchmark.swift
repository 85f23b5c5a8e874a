import NeuralNet
import Simplex
import Support

/// `pmf bench eval`: the time of one evaluation pass (`accuracy(of:on:batchSize:)`, as the trainer's
/// validation runs it), apart from data loading and training.
public enum EvaluationBenchmark {
    /// Builds `arch` with seeded random weights on `images` seeded random images (`network(_:images:)`),
    /// evaluates it `repeats` times and reports the fastest; with `digest`, also the digest of the logits
    /// of one more evaluation (`logitsDigest`).
    /// - Precondition: `repeats`, `images` and `batchSize` are ≥ 1.
    public static func measure(_ arch: Architecture, images: Int, batchSize: Int, repeats: Int, digest: Bool) -> EvaluationSpeed {
        precondition(repeats >= 1 && images >= 1 && batchSize >= 1, "EvaluationBenchmark: repeats, images and batch size must be ≥ 1")
        let (model, data) = network(arch, images: images)
        var best = (seconds: Double.infinity, accuracy: 0.0)
        for _ in 0 ..< repeats {
            let (accuracy, seconds) = timed { evaluateOnce(model, data, batchSize: batchSize) }
            best = (min(best.seconds, seconds), accuracy)
        }
        return EvaluationSpeed(arch: arch.rawValue, images: images, batchSize: batchSize, seconds: best.seconds,
                               imagesPerSecond: Double(images) / best.seconds, accuracy: best.accuracy,
                               logitsDigest: digest ? logitsDigest(model, data, batchSize: batchSize) : nil)
    }

    /// `arch` with seeded random weights (seed 1) and `images` random images with pixels U[0, 1) and
    /// random labels among 10 classes, of `Architecture.benchmarkDataset`'s image shape.
    public static func network(_ arch: Architecture, images: Int) -> (Sequential, Dataset) {
        let random = RandomSource(seed: 1)
        let shape = arch.benchmarkDataset.imageShapeAndClasses.shape
        let model = arch.build(imageShape: shape, classes: 10)
        initialize(model, using: random)
        let pixels = (0 ..< images * shape.reduce(1, *)).map { _ in Float(random.uniform(0, 1)) }
        let labels = (0 ..< images).map { _ in Int32(random.integer(below: 10)) }
        return (model, Dataset(images: pixels, labels: labels, imageShape: shape, classes: 10))
    }

    /// A digest of every logit's bits, in image order, as hexadecimal: h ← (h ⊕ b) · 1099511628211
    /// (mod 2⁶⁴) from h = 14695981039346656037 over the 32-bit patterns b — FNV-1a's step and constants,
    /// one logit (not one byte) at a time. Equal digests mean bitwise-equal logits, up to collisions.
    public static func logitsDigest(_ model: Sequential, _ data: Dataset, batchSize: Int) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        evaluate(model, on: data, batchSize: batchSize) { logits, _ in
            for value in logits.buffer { hash = (hash ^ UInt64(value.bitPattern)) &* 0x100_0000_01b3 }
        }
        return String(hash, radix: 16)
    }
}

/// One evaluation, kept out of line so that an instruction counter can count it alone
/// (`valgrind --tool=callgrind --toggle-collect='*evaluateOnce*'`).
@inline(never)
public func evaluateOnce(_ model: Sequential, _ data: Dataset, batchSize: Int) -> Double {
    NeuralNet.accuracy(of: model, on: data, batchSize: batchSize)
}
