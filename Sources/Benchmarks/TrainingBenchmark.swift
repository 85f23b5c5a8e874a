import NeuralNet
import Quantization
import Simplex
import Support

/// `pmf bench train`: this engine's training speed for each (network, method), beside PyTorch's on
/// the same network and data when an anchor is given, the GEMM floor and the peak multiply-add rate.
///
/// Each round measures OpenBLAS's sgemm rate at `floorShape` with `workerCount` threads, then times
/// every (network, method) once in this engine and once in the anchor. Over `repeats` rounds the
/// fastest speed of each (network, engine, method) is kept, in the first round's order, and the
/// floor uses the fastest sgemm rate: on a shared machine the minimum time is the figure least
/// disturbed by other work, and a rate measured while other work ran would flatter every floor.
public struct TrainingBenchmark: Sendable {
    /// The networks, each trained on its `TrainingWorkload`.
    public var networks: [Architecture]
    /// The methods.
    public var methods: [MethodSpec]
    /// Epochs per timed run of an MNIST network.
    public var epochs = 1
    /// Gaussian images per timed run of a CIFAR-shaped network (a multiple of its batch of 128).
    public var images = 1280
    /// Rounds; the fastest of each is kept.
    public var repeats = 3
    /// Fashion-MNIST's folder (nil: its default folder).
    public var dataFolder: String?
    /// PyTorch's anchor, if any.
    public var anchor: TorchAnchor?
    /// How this engine's convolutions form their products: each (network, method) is timed with each.
    public var convolutions: [ConvolutionAlgorithm] = [.winograd]

    /// The product whose sgemm rate sets the floor: LeNet-300's first layer on a batch of 100.
    public static let floorShape = GemmShape(m: 100, n: 300, k: 784)

    /// A benchmark of `methods` on `networks` with the other settings at their defaults.
    public init(networks: [Architecture], methods: [MethodSpec]) { (self.networks, self.methods) = (networks, methods) }

    /// Runs the rounds.
    /// - Throws: `DataError` when Fashion-MNIST cannot be read, a method's error, `BenchmarkError`
    ///   from the anchor.
    public func run() throws -> TrainingBenchmarkReport {
        var workloads: [Architecture: TrainingWorkload] = [:]
        for network in networks where workloads[network] == nil {
            workloads[network] = try TrainingWorkload(network, epochs: epochs, images: images, dataFolder: dataFolder)
        }
        var speeds: [TrainingSpeed] = [], gflops = 0.0, epochFlops: [String: Double] = [:]
        /// Keeps the faster of two timings of the same (network, engine, method), in the first round's order.
        func record(_ speed: TrainingSpeed) {
            guard let index = speeds.firstIndex(where: {
                ($0.arch, $0.engine, $0.method, $0.convolution) == (speed.arch, speed.engine, speed.method, speed.convolution)
            }) else {
                return speeds.append(speed)
            }
            if speed.samplesPerSecond > speeds[index].samplesPerSecond { speeds[index] = speed }
        }
        let peak = MultiplyAddPeak.measure()
        for _ in 0 ..< repeats {
            OpenBLAS.threads = workerCount
            gflops = max(gflops, SgemmRate.measure(.openBLAS, Self.floorShape, seconds: 0.5).gflops)
            for network in networks {
                let workload = workloads[network]!
                for method in methods {
                    for convolution in convolutions {
                        let (speed, flops) = try Self.time(network, method: method, convolution: convolution, on: workload)
                        record(speed)
                        epochFlops[speed.arch] = flops
                    }
                }
                try anchor?.speeds(network, on: workload, methods: methods.map(\.benchmarkName)).forEach(record)
            }
        }
        return TrainingBenchmarkReport(sgemmGflops: gflops, multiplyAddPeak: peak, results: speeds.map { speed in
            epochFlops[speed.arch].map { speed.placed(epochFlops: $0, sgemmGflops: gflops, peakGflops: peak?.gflops) } ?? speed
        })
    }

    /// One timed training run of this engine (seed 1, Adam at its defaults, running BatchNorm
    /// statistics), and the epoch's matrix-product FLOPs (`trainingFlopsPerSample` × epoch images:
    /// those of im2col + sgemm whatever `convolution` is, so a Winograd row's "% peak" counts the
    /// multiplications it skips).
    static func time(_ network: Architecture, method spec: MethodSpec, convolution: ConvolutionAlgorithm,
                     on workload: TrainingWorkload) throws -> (TrainingSpeed, Double) {
        resetPeakResidentMemory()
        let random = RandomSource(seed: 1)
        let model = network.build(imageShape: workload.train.imageShape, classes: workload.train.classes, convolution: convolution)
        initialize(model, using: random)
        var settings = TrainingSettings()
        (settings.epochs, settings.batchSize, settings.logEvery, settings.batchNorm) = (workload.epochs, workload.batchSize, 1_000_000, .running)
        let trainer = Trainer(model: model, method: try spec.makeMethod(for: model, random: random), settings: settings, random: random)
        let result = try trainer.run(train: workload.train, validation: workload.test, test: workload.test)
        let speed = TrainingSpeed(arch: network.rawValue, engine: .pmfkit, method: spec.benchmarkName, convolution: convolution,
                                  secondsPerEpoch: Double(workload.epochImages) / result.samplesPerSecond,
                                  samplesPerSecond: result.samplesPerSecond, peakMemoryBytes: peakResidentMemory())
        return (speed, trainingFlopsPerSample(model, imageShape: workload.train.imageShape) * Double(workload.epochImages))
    }
}

extension MethodSpec {
    /// The method's kind in capitals (`REF`, `PMF`), as benchmark tables and the anchor name it.
    public var benchmarkName: String { kind.rawValue.uppercased() }
}
