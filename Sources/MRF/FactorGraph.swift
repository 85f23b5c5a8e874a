/// A discrete Markov random field as a factor graph: P(x) ∝ exp(−E(x)) with
/// E(x) = Σ_f θ_f(x_f) over table factors of any arity, x_i ∈ {0, …, d_i − 1}.
///
/// This is the interchange form that files are read into and generators produce. Inference code
/// works on `CompiledGraph`, which sums factors per variable and per edge into a CSR layout.
public struct FactorGraph: Equatable, Sendable {
    /// d_i for every variable i.
    public let cardinalities: [Int]
    /// The factors, in file or construction order.
    public let factors: [Factor]

    /// A validated graph: every scope variable exists and every factor agrees on its cardinality.
    public init(cardinalities: [Int], factors: [Factor]) throws(MRFError) {
        guard let low = cardinalities.min(), low >= 1 else {
            if cardinalities.isEmpty { throw .invalidModel("a model needs at least one variable") }
            throw .invalidModel("every variable needs a cardinality ≥ 1, got \(cardinalities)")
        }
        for (f, factor) in factors.enumerated() {
            for (t, v) in factor.scope.enumerated() {
                guard v < cardinalities.count else {
                    throw .invalidModel("factor \(f) names variable \(v) but the model has \(cardinalities.count) variables (0 … \(cardinalities.count - 1))")
                }
                guard factor.cardinalities[t] == cardinalities[v] else {
                    throw .invalidModel("factor \(f) gives variable \(v) cardinality \(factor.cardinalities[t]) but the model says \(cardinalities[v])")
                }
            }
        }
        self.init(unchecked: cardinalities, factors: factors)
    }

    init(unchecked cardinalities: [Int], factors: [Factor]) {
        self.cardinalities = cardinalities
        self.factors = factors
    }

    /// Number of variables n.
    public var variableCount: Int { cardinalities.count }

    /// Π_i d_i as a Double (the size of the state space; may exceed Int).
    public var stateCount: Double { cardinalities.reduce(1.0) { $0 * Double($1) } }

    /// Whether every factor has at most two variables.
    public var isPairwise: Bool { factors.allSatisfy { $0.scope.count <= 2 } }

    /// E(x) = Σ_f θ_f(x_f); +∞ when x violates a hard constraint.
    /// - Precondition: `labels.count == variableCount`, each label in range.
    public func energy(of labels: [Int]) -> Double {
        precondition(labels.count == variableCount, "a labelling needs one label per variable")
        return factors.reduce(0) { $0 + $1.energy(at: labels) }
    }
}
