import NeuralNet

/// How much training the figures that need trained networks (Fig. 2, supp. Fig. 3, Table 2) do.
///
/// Every run is supp. Table 4's MNIST preset `mnist-ARCH-METHOD` on the schedule's dataset: MNIST
/// (the default), or Fashion-MNIST in its place (same image size, classes and split). A run shorter
/// than the paper's 20 000 iterations keeps the schedules' shape: the preset's β and learning-rate
/// steps are rescaled to the run's length.
public struct TrainingSchedule: Equatable, Sendable {
    /// One network's share of the schedule.
    public struct Net: Hashable, Sendable {
        /// `pmf train --arch` value, e.g. `lenet300`.
        public var arch: String
        /// Name in titles and tables, e.g. `LeNet-300`.
        public var title: String
        /// Epochs per run.
        public var epochs: Int
        /// Training images per run (`--limit`), or `nil` for the whole training split.
        public var limit: Int?
        /// Iterations between trace rows (`--log-every`), each a validation of the quantized and the
        /// fractional network; the best validated network is the one tested.
        public var logEvery: Int
        /// The seeds of this network's runs (the table states their number per row).
        public var seeds: [UInt]

        /// Creates a network schedule.
        public init(arch: String, title: String, epochs: Int, limit: Int?, logEvery: Int, seeds: [UInt]) {
            precondition(!seeds.isEmpty, "a network schedule needs at least one seed")
            self.arch = arch
            self.title = title
            self.epochs = epochs
            self.limit = limit
            self.logEvery = logEvery
            self.seeds = seeds
        }

        /// The seeds as a caption lists them: `1, 2, 3`.
        public var seedList: String { seeds.map(String.init).joined(separator: ", ") }

        /// The supp. Table 4 presets of this network: `mnist-ARCH-METHOD`.
        public var presetPrefix: String { "mnist-\(arch)" }

        /// Images each epoch trains on: `limit`, or the whole training split of MNIST or Fashion-MNIST
        /// (50 000 images after holding out 10 000 for validation).
        public var trainingImages: Int { limit ?? TrainingSchedule.mnistTrainingImages }

        /// Iterations per run at `batchSize`: ⌈images / batch⌉ per epoch.
        public func iterations(batchSize: Int = 100) -> Int {
            epochs * ((trainingImages + batchSize - 1) / batchSize)
        }

        /// The schedule in words, for table headers: `40 epochs of 50 000 images (20 000 iterations)`.
        public var summary: String {
            "\(epochs) epoch\(epochs == 1 ? "" : "s") of \(grouped(trainingImages)) images (\(grouped(iterations())) iterations)"
        }
    }

    /// A Table 2 row with one method at another level set, e.g. the paper's 2-bit PMF.
    public struct LevelRow: Equatable, Sendable {
        /// Row title, e.g. `LeNet-300, 2-bit PMF`.
        public var title: String
        /// The network and its schedule.
        public var net: Net
        /// The method (its preset's base name), e.g. `pmf`.
        public var method: String
        /// `pmf train --levels` value, e.g. `k4` for {−2, −1, 1, 2}.
        public var levels: String

        /// Creates a row.
        public init(title: String, net: Net, method: String, levels: String) {
            self.title = title
            self.net = net
            self.method = method
            self.levels = levels
        }
    }

    /// Training images of MNIST and of Fashion-MNIST after the validation split (60 000 − 10 000).
    public static let mnistTrainingImages = 50_000
    /// The paper's methods (Table 2's columns), each run with its supp. Table 4 preset.
    public static let paperMethods = ["ref", "bc", "pq", "picm", "pgd", "pmf"]
    /// The ρ values of supp. Fig. 3.
    public static let paperRhos = [1.2, 1.15, 1.1, 1.05, 1.02]

    /// The dataset every run trains on: `.mnist` or `.fashionMNIST`.
    public var dataset: DatasetKind
    /// The networks of Fig. 2 and Table 2, one row each, each with its seeds (curves are averaged
    /// over them, the table gives mean ± std).
    public var nets: [Net]
    /// The methods compared: preset base names (`pmf`) or method specs (`pmf[rho=1.1]`, run with
    /// the base name's preset and this method).
    public var methods: [String]
    /// Extra Table 2 rows at other level sets, trained with their network's seeds.
    public var levelRows: [LevelRow]
    /// The network of the ρ study (its first seed only).
    public var rhoNet: Net
    /// The ρ values of the ρ study, each trained as the PMF preset with that ρ.
    public var rhos: [Double]
    /// Whether this is a smoke run (a subset, a few epochs, one seed): every output says so.
    public var isSmokeRun: Bool

    /// Creates a schedule.
    public init(dataset: DatasetKind, nets: [Net], methods: [String], levelRows: [LevelRow] = [], rhoNet: Net, rhos: [Double],
                isSmokeRun: Bool = false) {
        self.dataset = dataset
        self.nets = nets
        self.methods = methods
        self.levelRows = levelRows
        self.rhoNet = rhoNet
        self.rhos = rhos
        self.isSmokeRun = isSmokeRun
    }

    /// The data and the settings, for every caption and table header.
    public var dataNote: String {
        let data = dataset == .mnist ? "MNIST" : "Fashion-MNIST (standing in for MNIST)"
        return isSmokeRun ? "\(data), SMOKE RUN on a subset for a few epochs, one seed: not a comparison"
            : "\(data), supp. Table 4 settings"
    }

    /// The same schedule on another dataset.
    public func on(_ dataset: DatasetKind) -> TrainingSchedule {
        var copy = self
        copy.dataset = dataset
        return copy
    }

    /// A smoke run for CI, minutes: LeNet-300 for 5 epochs of 10 000 images, LeNet-5 for 2 epochs of
    /// 2 000, one seed, on MNIST unless `on(_:)` says otherwise.
    public static let quick: TrainingSchedule = {
        let lenet300 = Net(arch: "lenet300", title: "LeNet-300", epochs: 5, limit: 10_000, logEvery: 50, seeds: [1])
        return TrainingSchedule(
            dataset: .mnist, nets: [lenet300, Net(arch: "lenet5", title: "LeNet-5", epochs: 2, limit: 2_000, logEvery: 20, seeds: [1])],
            methods: paperMethods, levelRows: [LevelRow(title: "LeNet-300, 2-bit PMF", net: lenet300, method: "pmf", levels: "k4")],
            rhoNet: lenet300, rhos: paperRhos, isSmokeRun: true)
    }()

    /// LeNet-300 at the paper's full MNIST schedule: 40 epochs of the 50 000-image training split
    /// (20 000 iterations of 100), validated every 100 iterations as the authors' code does, 3 seeds.
    static let lenet300Full = Net(arch: "lenet300", title: "LeNet-300", epochs: 40, limit: nil, logEvery: 100, seeds: [1, 2, 3])

    /// LeNet-5 at the paper's full MNIST schedule (20 000 iterations), validated every 100 iterations.
    static func lenet5Full(seeds: [UInt]) -> Net {
        Net(arch: "lenet5", title: "LeNet-5", epochs: 40, limit: nil, logEvery: 100, seeds: seeds)
    }

    /// The default: every network at the paper's full MNIST schedule — LeNet-300 (six methods, the
    /// 2-bit row and the ρ study) with three seeds, LeNet-5 (six methods) with one: 31 runs.
    public static let paper = TrainingSchedule(
        dataset: .mnist, nets: [lenet300Full, lenet5Full(seeds: [1])], methods: paperMethods,
        levelRows: [LevelRow(title: "LeNet-300, 2-bit PMF", net: lenet300Full, method: "pmf", levels: "k4")],
        rhoNet: lenet300Full, rhos: paperRhos)

    /// The default with three LeNet-5 seeds too: 33 runs.
    public static let full = TrainingSchedule(
        dataset: .mnist, nets: [lenet300Full, lenet5Full(seeds: [1, 2, 3])], methods: paperMethods,
        levelRows: [LevelRow(title: "LeNet-300, 2-bit PMF", net: lenet300Full, method: "pmf", levels: "k4")],
        rhoNet: lenet300Full, rhos: paperRhos)
}

/// `50000` → `50 000` (thin space groups, as in the tables).
func grouped(_ n: Int) -> String {
    var digits = String(n), result = ""
    while digits.count > 3 {
        result = " " + digits.suffix(3) + result
        digits = String(digits.dropLast(3))
    }
    return digits + result
}
