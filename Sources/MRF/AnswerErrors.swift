/// How far one algorithm's result is from the reference answers of a model (`UAIAnswers`), the
/// quantities a benchmark table reports. Marginal errors are taken over the free variables F (those
/// not observed by the evidence; an observed variable's marginal is one-hot in every algorithm and
/// in the reference, so it would only dilute the means). With b_i an algorithm's marginal of
/// variable i and p_i the reference:
///
/// - **log Z error** |log Z − log Z*|, in nats (natural log; the `PR` file's log₁₀ Z times ln 10);
/// - **marginal error** per variable e_i = max_a |b_i(a) − p_i(a)| (the largest error over its
///   labels), then the mean (1/|F|) Σ_{i∈F} e_i and the max max_{i∈F} e_i;
/// - **Hellinger error** (1/|F|) Σ_{i∈F} H(b_i, p_i) with H(b, p) = √(1 − Σ_a √(b(a) p(a))), the
///   mean Hellinger distance the UAI inference competitions scored MAR with; 0 for equal rows, 1 for
///   rows with disjoint supports;
/// - **MAP gap** E(x) − E(x*): the energy of the algorithm's labelling (its rounding of the
///   marginals, or its MAP) minus that of the reference MPE labelling. ≥ 0 when x* is a true MAP;
///   negative when the algorithm found a better labelling than the reference.
///
/// A metric is `nil` when its answer is missing (or, for the marginal errors, when every variable
/// is observed). A NaN belief counts as an infinite marginal error.
public struct AnswerErrors: Equatable, Sendable {
    /// |log Z − log Z*| in nats.
    public var logZ: Double?
    /// (1/|F|) Σ_{i∈F} max_a |b_i(a) − p_i(a)|.
    public var meanMarginal: Double?
    /// max_{i∈F} max_a |b_i(a) − p_i(a)|.
    public var maxMarginal: Double?
    /// (1/|F|) Σ_{i∈F} √(1 − Σ_a √(b_i(a) p_i(a))).
    public var hellinger: Double?
    /// E(x) − E(x*).
    public var mapGap: Double?

    /// The errors of `result` (a result on the whole model: marginals and labels of every variable
    /// of `graph`) against `answers`, the marginal errors over the variables `free`.
    /// - Precondition: `result` and the answers have one row/label per variable of `graph`
    ///   (`UAIAnswers.checked(against:evidence:files:)` checks the answers).
    public init(result: SolverResult, answers: UAIAnswers, graph: FactorGraph, free: [Int]) {
        logZ = answers.logZ.map { abs(result.logZ - $0) }
        if let reference = answers.marginals, !free.isEmpty {
            let largest = free.map { Self.largestDifference(result.marginals[$0], reference[$0]) }
            meanMarginal = largest.reduce(0, +) / Double(free.count)
            maxMarginal = largest.max()
            hellinger = free.map { Self.hellinger(result.marginals[$0], reference[$0]) }.reduce(0, +) / Double(free.count)
        }
        mapGap = answers.mpe.map { graph.energy(of: result.labels) - graph.energy(of: $0) }
    }

    /// max_a |b(a) − p(a)|, +∞ when an entry is NaN.
    public static func largestDifference(_ b: [Double], _ p: [Double]) -> Double {
        zip(b, p).reduce(0) { top, pair in
            let error = abs(pair.0 - pair.1)
            return max(top, error.isNaN ? .infinity : error)
        }
    }

    /// The Hellinger distance H(b, p) = √(1 − Σ_a √(b(a) p(a))) of two distributions over the same
    /// labels, computed as √(½ Σ_a (√b(a) − √p(a))²) — equal when both sum to 1 (the sum expands to
    /// 1 + 1 − 2 Σ_a √(b(a) p(a))) and free of the cancellation that would make equal rows read
    /// about 10⁻⁸ instead of 0. NaN when an entry is NaN.
    public static func hellinger(_ b: [Double], _ p: [Double]) -> Double {
        (zip(b, p).reduce(0) { sum, pair in
            let gap = pair.0.squareRoot() - pair.1.squareRoot()
            return sum + gap * gap
        } / 2).squareRoot()
    }
}
