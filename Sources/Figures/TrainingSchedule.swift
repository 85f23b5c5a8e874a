/// How much training the figures that need trained networks (Fig. 2, supp. Fig. 3, Table 2) do.
public struct TrainingSchedule: Equatable, Sendable {
    /// One network's share of the schedule.
    public struct Net: Equatable, Sendable {
        /// `pmf train --arch` value, e.g. `lenet300`.
        public var arch: String
        /// Name in titles and tables, e.g. `LeNet-300`.
        public var title: String
        /// Epochs per run.
        public var epochs: Int
        /// Training images per run (`--limit`), or `nil` for the whole training split.
        public var limit: Int?
        /// Iterations between trace rows (`--log-every`).
        public var logEvery: Int

        /// Creates a network schedule.
        public init(arch: String, title: String, epochs: Int, limit: Int?, logEvery: Int) {
            self.arch = arch
            self.title = title
            self.epochs = epochs
            self.limit = limit
            self.logEvery = logEvery
        }

        /// Iterations per run at `batchSize`: ⌈images / batch⌉ per epoch (the Fashion-MNIST
        /// training split is 50 000 images after holding out 10 000 for validation).
        public func iterations(batchSize: Int = 100) -> Int {
            let images = limit ?? TrainingSchedule.fashionMNISTTrainingImages
            return epochs * ((images + batchSize - 1) / batchSize)
        }

        /// Iterations between β updates so that, like the paper's 20 000 iterations with β ← ρβ
        /// every 100, β is multiplied `TrainingSchedule.annealingSteps` times over the run.
        public var annealEvery: Int { max(1, iterations() / TrainingSchedule.annealingSteps) }
    }

    /// Training images of Fashion-MNIST after the validation split (60 000 − 10 000).
    public static let fashionMNISTTrainingImages = 50_000
    /// β updates per run in the paper (20 000 iterations, every 100).
    public static let annealingSteps = 200
    /// The paper's methods (Table 2's columns), as `pmf train --method` specs.
    public static let paperMethods = ["ref", "bc", "pq", "picm", "pgd", "pmf"]
    /// The ρ values of supp. Fig. 3.
    public static let paperRhos = [1.2, 1.15, 1.1, 1.05, 1.02]

    /// The networks of Fig. 2 and Table 2, one row each.
    public var nets: [Net]
    /// The methods compared, as `pmf train --method` specs; a method the `pmf` build rejects is
    /// skipped with a note (so the float-only build draws REF alone).
    public var methods: [String]
    /// Seeds per (network, method); curves are averaged over them, the table gives mean ± std.
    public var seeds: [UInt]
    /// The network of the ρ study.
    public var rhoNet: Net
    /// The ρ values of the ρ study, each trained as `pmf[rho=R]`.
    public var rhos: [Double]

    /// Creates a schedule.
    public init(nets: [Net], methods: [String], seeds: [UInt], rhoNet: Net, rhos: [Double]) {
        self.nets = nets
        self.methods = methods
        self.seeds = seeds
        self.rhoNet = rhoNet
        self.rhos = rhos
    }

    /// Minutes, not hours: both LeNets on a subset of Fashion-MNIST for a few epochs, one seed.
    /// LeNet-300: 5 epochs of 10 000 images (500 iterations, β updated every 2), a trace row every
    /// 50; LeNet-5: 3 epochs of 3 000 images, a trace row per epoch. Measured: the 17 runs of all six
    /// methods and five ρ values take about 3 minutes on the 2-core machine.
    public static let quick = TrainingSchedule(
        nets: [Net(arch: "lenet300", title: "LeNet-300", epochs: 5, limit: 10_000, logEvery: 50),
               Net(arch: "lenet5", title: "LeNet-5", epochs: 3, limit: 3_000, logEvery: 30)],
        methods: paperMethods, seeds: [1],
        rhoNet: Net(arch: "lenet300", title: "LeNet-300", epochs: 5, limit: 10_000, logEvery: 50),
        rhos: paperRhos)

    /// The paper's MNIST schedule on Fashion-MNIST: 40 epochs of 500 iterations at batch 100
    /// (20 000 iterations), the whole training split, three seeds.
    public static let full = TrainingSchedule(
        nets: [Net(arch: "lenet300", title: "LeNet-300", epochs: 40, limit: nil, logEvery: 100),
               Net(arch: "lenet5", title: "LeNet-5", epochs: 40, limit: nil, logEvery: 100)],
        methods: paperMethods, seeds: [1, 2, 3],
        rhoNet: Net(arch: "lenet300", title: "LeNet-300", epochs: 40, limit: nil, logEvery: 100),
        rhos: paperRhos)
}
