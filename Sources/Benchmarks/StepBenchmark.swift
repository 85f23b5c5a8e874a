import NeuralNet
import Quantization
import Simplex
import Support

/// `pmf bench step`: the time a weight method adds to each training step, apart from the network's
/// passes — the lift of the variables into the weights, the pullback, Adam's step, the post-step
/// work and the finiteness scan (`WeightMethod.step`), run on the network's parameters with fixed
/// random weight gradients. REF's figure is Adam on the weights alone.
public struct StepBenchmark: Sendable {
    /// The network whose parameters are used (`Architecture.benchmarkDataset`'s image shape).
    public var arch: Architecture
    /// The methods.
    public var methods: [MethodSpec]
    /// Steps per timed run.
    public var steps: Int
    /// Timed runs per method, interleaved with the other methods'; the fastest is kept.
    public var repeats: Int

    /// A benchmark of `methods` on `arch`'s parameters.
    public init(arch: Architecture, methods: [MethodSpec], steps: Int, repeats: Int) {
        (self.arch, self.methods, self.steps, self.repeats) = (arch, methods, steps, repeats)
    }

    /// Each method's fastest run, in the order given.
    /// - Throws: a method's error (e.g. a non-finite weight).
    public func run() throws -> [StepSpeed] {
        var best = [Double](repeating: .infinity, count: methods.count)
        for _ in 0 ..< repeats {
            for (index, method) in methods.enumerated() { best[index] = min(best[index], try secondsPerStep(method)) }
        }
        return zip(methods, best).map { StepSpeed(method: $0.description, secondsPerStep: $1) }
    }

    /// One timed run: seconds per step of `spec`'s method work and Adam (learning rate 10⁻³) on
    /// `arch`'s parameters (seed 1), with weight gradients U(−0.01, 0.01).
    func secondsPerStep(_ spec: MethodSpec) throws -> Double {
        let random = RandomSource(seed: 1)
        let model = arch.build(imageShape: arch.benchmarkDataset.imageShapeAndClasses.shape, classes: 10)
        initialize(model, using: random)
        let method = try spec.makeMethod(for: model, random: random)
        let adam = Adam(method.variables)
        for tensor in model.namedParameters(prefix: "").map(\.parameter.gradient) {
            for i in 0 ..< tensor.count { tensor[i] = Float(random.uniform(-1e-2, 1e-2)) }
        }
        let (_, elapsed) = try timed {
            for iteration in 0 ..< steps {
                try method.step(StepInfo(iteration: iteration, epoch: 0, learningRate: 1e-3, iterations: steps), optimizer: adam) {}
            }
        }
        return elapsed / Double(steps)
    }
}

/// One method's work per training step in `pmf bench step`.
public struct StepSpeed: Encodable, Sendable {
    /// The method's spec text.
    public let method: String
    /// Milliseconds per step.
    public let millisecondsPerStep: Double
    /// Seconds per 600 steps (one epoch at batch 100).
    public let secondsPer600Steps: Double

    /// The speed of a method taking `secondsPerStep` per step.
    public init(method: String, secondsPerStep: Double) {
        (self.method, millisecondsPerStep, secondsPer600Steps) = (method, secondsPerStep * 1e3, secondsPerStep * 600)
    }

    private enum CodingKeys: String, CodingKey {
        case method, millisecondsPerStep = "milliseconds_per_step", secondsPer600Steps = "seconds_per_600_steps"
    }
}
