import Gnuplot

/// One iteration of an iterative solver, as recorded in its trace.
public struct TracePoint: Equatable, Sendable {
    /// 0 for the starting point, then 1, 2, …
    public var iteration: Int
    /// E_u[E] for relaxation solvers; the Bethe average energy for BP.
    public var expectedEnergy: Double
    /// H(u) (Σ of row entropies); the Bethe entropy for BP.
    public var entropy: Double
    /// The solver's log Z estimate: the mean-field bound −E_u[E] + H(u) ≤ log Z, or Bethe's −U + H.
    public var logZEstimate: Double
    /// E of the rounded (argmax) labelling.
    public var roundedEnergy: Double
    /// Largest absolute change of an entry of u (or of a BP message) in this iteration.
    public var maxChange: Double
    /// The inverse temperature used in this iteration (1 for methods without one).
    public var beta: Double
    /// max_i,a |u_i(a) − P(x_i = a)|, when exact marginals are given.
    public var marginalError: Double?
    /// logZEstimate − log Z, when the exact log Z is given.
    public var logZError: Double?
}

/// The per-iteration record of a solver, writable as gnuplot-ready columns.
public struct Trace: Equatable, Sendable {
    /// The points, iteration 0 first.
    public var points: [TracePoint] = []

    /// A trace holding `points` (empty by default).
    public init(points: [TracePoint] = []) { self.points = points }

    /// Column names, matching `dataFile`'s columns.
    public var columns: [String] {
        ["iteration", "expected_energy", "entropy", "logz_estimate", "rounded_energy", "max_change", "beta"]
            + (points.first?.marginalError == nil ? [] : ["max_marginal_error", "logz_error"])
    }

    /// The trace as the gnuplot data file `NAME.dat`: `columns`, one row per point in one dataset
    /// named `trace` (a non-finite value, or an error missing from a point, is the missing-value text).
    public func dataFile(name: String, provenance: Provenance) -> DataFile {
        let hasErrors = columns.count > 7
        let rows = points.map { p in
            [Double(p.iteration), p.expectedEnergy, p.entropy, p.logZEstimate, p.roundedEnergy, p.maxChange, p.beta]
                + (hasErrors ? [p.marginalError ?? .nan, p.logZError ?? .nan] : [])
        }
        return DataFile(name: name, columns: columns.map { DataColumn($0) }, provenance: provenance,
                        datasets: [NamedDataset(name: "trace", rows: rows)])
    }
}

/// What every algorithm returns (libDAI's common interface: beliefs, log Z, labelling, iterations).
public struct SolverResult: Sendable {
    /// The algorithm's canonical spec text.
    public var algorithm: String
    /// The log Z estimate: exact, the mean-field lower bound, or the Bethe estimate (for
    /// labelling-only methods, −E of their labelling, the log-probability mass of that one labelling).
    public var logZ: Double
    /// Single-variable marginals (beliefs, or the rows of u).
    public var marginals: [[Double]]
    /// The labelling (argmax of the marginals, or the MAP).
    public var labels: [Int]
    /// E(labels).
    public var energy: Double
    /// Iterations run (0 for exact methods).
    public var iterations: Int
    /// The per-iteration trace (empty for exact methods).
    public var trace: Trace

    /// A result with every field given; the solvers build these.
    public init(algorithm: String, logZ: Double, marginals: [[Double]], labels: [Int], energy: Double, iterations: Int, trace: Trace) {
        (self.algorithm, self.logZ, self.marginals, self.labels) = (algorithm, logZ, marginals, labels)
        (self.energy, self.iterations, self.trace) = (energy, iterations, trace)
    }

    /// The exact answers as a result (MAP labelling, no iterations, empty trace).
    public init(exact: ExactResult, algorithm: String) {
        self.init(algorithm: algorithm, logZ: exact.logZ, marginals: exact.marginals, labels: exact.map,
                  energy: exact.mapEnergy, iterations: 0, trace: Trace())
    }
}

/// max_i max_a |p_i(a) − q_i(a)| between two sets of marginals (`AnswerErrors.largestDifference`
/// per variable; +∞ when an entry is NaN, 0 for none).
public func maxMarginalError(_ p: [[Double]], _ q: [[Double]]) -> Double {
    zip(p, q).reduce(0) { max($0, AnswerErrors.largestDifference($1.0, $1.1)) }
}
