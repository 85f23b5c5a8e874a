import Simplex

/// Gnuplot-ready evidence a check leaves behind: named datasets of rows over named columns.
public struct CheckEvidence: Sendable {
    /// File stem, e.g. `theorem-3.1`.
    public let name: String
    /// Column names shared by every dataset, e.g. `beta`, `deviation`.
    public let columns: [String]
    /// (dataset name, rows) pairs; every row has `columns.count` entries.
    public let datasets: [(name: String, rows: [[Double]])]

    /// Evidence with file stem `name`, the column names and the named datasets (rows of `columns.count` numbers).
    public init(name: String, columns: [String], datasets: [(name: String, rows: [[Double]])]) {
        self.name = name
        self.columns = columns
        self.datasets = datasets
    }
}

/// The outcome of one numerical check of a statement of the paper.
public struct CheckOutcome: Sendable, Codable, Equatable {
    /// The check's name, e.g. `theorem-3.1` (what `pmf check NAME` takes).
    public let name: String
    /// The statement checked, in one line.
    public let statement: String
    /// Number of random trials run.
    public let trials: Int
    /// The largest deviation from the statement over all trials (∞ when something was not finite).
    public let maxDeviation: Double
    /// The largest deviation that still counts as agreement.
    public let tolerance: Double
    /// Whether maxDeviation ≤ tolerance; informational rows always pass.
    public let passed: Bool
    /// An informational row shows where a statement stops holding; it never fails the run.
    public let informational: Bool

    enum CodingKeys: String, CodingKey {
        case name, statement, trials, tolerance, passed, informational
        case maxDeviation = "max_deviation"
    }
}

/// One numerical check: a named statement, a tolerance, and a randomized experiment that returns
/// one deviation per trial (0 = the statement holds exactly) plus evidence for figures.
public struct Check: Sendable {
    /// The check's name, e.g. `theorem-3.1`.
    public let name: String
    /// The statement checked, in one line.
    public let statement: String
    /// The largest per-trial deviation that passes.
    public let tolerance: Double
    /// Whether the check only reports (never fails), e.g. where a statement is not claimed to hold.
    public let informational: Bool
    let experiment: @Sendable (_ trials: Int, _ random: RandomSource) -> (deviations: [Double], evidence: [CheckEvidence])

    /// A check whose `experiment(trials, random)` returns one deviation per trial (0 = exact agreement) and its evidence.
    public init(name: String, statement: String, tolerance: Double, informational: Bool = false,
                experiment: @escaping @Sendable (Int, RandomSource) -> (deviations: [Double], evidence: [CheckEvidence])) {
        self.name = name
        self.statement = statement
        self.tolerance = tolerance
        self.informational = informational
        self.experiment = experiment
    }

    /// Runs the experiment with its own generator seeded by `seed`.
    public func run(trials: Int, seed: UInt) -> (CheckOutcome, [CheckEvidence]) {
        let (deviations, evidence) = experiment(trials, RandomSource(seed: seed))
        let largest = deviations.contains { !$0.isFinite } ? .infinity : (deviations.max() ?? 0)
        let outcome = CheckOutcome(name: name, statement: statement, trials: deviations.count, maxDeviation: largest,
                                   tolerance: tolerance, passed: informational || largest <= tolerance,
                                   informational: informational)
        return (outcome, evidence)
    }
}

/// Uniform on [10^a, 10^b] in the exponent.
func logUniform(_ a: Double, _ b: Double, _ random: RandomSource) -> Double {
    .pow(10, random.uniform(a, b))
}

/// A random point strictly inside the simplex of dimension d.
func interiorPoint(_ d: Int, _ random: RandomSource) -> [Double] {
    let raw = (0 ..< d).map { _ in -Double.log(random.uniform(1e-12, 1)) }
    let total = raw.reduce(0, +)
    return raw.map { $0 / total }
}

func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
func maxAbs(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { abs($0 - $1) }.max() ?? 0 }
