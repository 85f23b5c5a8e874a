/// How much training the figures that need trained networks (Fig. 2, supp. Fig. 3, Table 2) do.
///
/// Every run is supp. Table 4's MNIST preset `mnist-ARCH-METHOD` on
/// Fashion-MNIST, which stands in for MNIST here (same image size, classes and split; MNIST is
/// not shipped). A run shorter than the paper's 20 000 iterations keeps the schedules' shape: the
/// preset's β and learning-rate steps are rescaled to the run's length.
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

        /// The supp. Table 4 presets of this network: `mnist-ARCH-METHOD`.
        public var presetPrefix: String { "mnist-\(arch)" }

        /// Images each epoch trains on: `limit`, or the whole Fashion-MNIST training split (50 000
        /// images after holding out 10 000 for validation).
        public var trainingImages: Int { limit ?? TrainingSchedule.fashionMNISTTrainingImages }

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

    /// Training images of Fashion-MNIST after the validation split (60 000 − 10 000).
    public static let fashionMNISTTrainingImages = 50_000
    /// The paper's methods (Table 2's columns), each run with its supp. Table 4 preset.
    public static let paperMethods = ["ref", "bc", "pq", "picm", "pgd", "pmf"]
    /// The ρ values of supp. Fig. 3.
    public static let paperRhos = [1.2, 1.15, 1.1, 1.05, 1.02]

    /// The networks of Fig. 2 and Table 2, one row each.
    public var nets: [Net]
    /// The methods compared: preset base names (`pmf`) or method specs (`pmf[rho=1.1]`, run with
    /// the base name's preset and this method).
    public var methods: [String]
    /// Seeds per (network, method); curves are averaged over them, the table gives mean ± std.
    public var seeds: [UInt]
    /// Extra Table 2 rows at other level sets, trained with the same seeds.
    public var levelRows: [LevelRow]
    /// The network of the ρ study (one seed, the first).
    public var rhoNet: Net
    /// The ρ values of the ρ study, each trained as the PMF preset with that ρ.
    public var rhos: [Double]
    /// Whether this is a smoke run (a subset, a few epochs, one seed): every output says so.
    public var isSmokeRun: Bool

    /// Creates a schedule.
    public init(nets: [Net], methods: [String], seeds: [UInt], levelRows: [LevelRow] = [], rhoNet: Net, rhos: [Double],
                isSmokeRun: Bool = false) {
        self.nets = nets
        self.methods = methods
        self.seeds = seeds
        self.levelRows = levelRows
        self.rhoNet = rhoNet
        self.rhos = rhos
        self.isSmokeRun = isSmokeRun
    }

    /// What every caption and table header says about the data and the schedule.
    /// The seeds as a caption lists them: `1, 2, 3`.
    public var seedList: String { seeds.map(String.init).joined(separator: ", ") }

    /// The data and the settings, for every caption and table header.
    public var dataNote: String {
        isSmokeRun ? "Fashion-MNIST (standing in for MNIST), SMOKE RUN on a subset for a few epochs, one seed: not a comparison"
            : "Fashion-MNIST (standing in for MNIST), supp. Table 4 settings"
    }

    /// A smoke run for CI, minutes: LeNet-300 for 5 epochs of 10 000 images, LeNet-5 for 2 epochs of
    /// 2 000, one seed.
    public static let quick = TrainingSchedule(
        nets: [Net(arch: "lenet300", title: "LeNet-300", epochs: 5, limit: 10_000, logEvery: 50),
               Net(arch: "lenet5", title: "LeNet-5", epochs: 2, limit: 2_000, logEvery: 20)],
        methods: paperMethods, seeds: [1],
        levelRows: [LevelRow(title: "LeNet-300, 2-bit PMF", net: Net(arch: "lenet300", title: "LeNet-300", epochs: 5, limit: 10_000, logEvery: 50),
                             method: "pmf", levels: "k4")],
        rhoNet: Net(arch: "lenet300", title: "LeNet-300", epochs: 5, limit: 10_000, logEvery: 50),
        rhos: paperRhos, isSmokeRun: true)

    /// LeNet-300 at the paper's full MNIST schedule: 40 epochs of the 50 000-image training split
    /// (20 000 iterations of 100), a trace row per epoch.
    static let lenet300Full = Net(arch: "lenet300", title: "LeNet-300", epochs: 40, limit: nil, logEvery: 500)

    /// The default: LeNet-300 rows, the 2-bit row, Fig. 2 and the ρ study at the paper's full
    /// schedule; LeNet-5 on 3/40 of it (3 epochs, 1 500 iterations, β and learning-rate steps
    /// rescaled), three seeds. About 30 minutes on two cores.
    public static let paper = TrainingSchedule(
        nets: [lenet300Full, Net(arch: "lenet5", title: "LeNet-5", epochs: 3, limit: nil, logEvery: 250)],
        methods: paperMethods, seeds: [1, 2, 3],
        levelRows: [LevelRow(title: "LeNet-300, 2-bit PMF", net: lenet300Full, method: "pmf", levels: "k4")],
        rhoNet: lenet300Full, rhos: paperRhos)

    /// The paper's schedule for both networks (LeNet-5 too at 40 epochs: hours on two cores).
    public static let full = TrainingSchedule(
        nets: [lenet300Full, Net(arch: "lenet5", title: "LeNet-5", epochs: 40, limit: nil, logEvery: 500)],
        methods: paperMethods, seeds: [1, 2, 3],
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
