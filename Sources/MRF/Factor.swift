/// A table factor over a scope of distinct variables, stored as energies θ(x) = −log ψ(x).
///
/// A zero potential ψ(x) = 0 (a hard constraint) is the energy +∞. The table is in row-major
/// order over the scope as listed: the *last* variable of the scope changes fastest (UAI's order),
/// so entry (x₁, …, x_k) sits at Σ_t x_t·stride_t with stride_k = 1, stride_t = d_{t+1}·stride_{t+1}.
/// A factor with an empty scope is a constant energy.
public struct Factor: Equatable, Sendable {
    /// The variables, distinct, in table order.
    public let scope: [Int]
    /// The cardinality of each scope variable.
    public let cardinalities: [Int]
    /// θ for every joint label of the scope, last scope variable fastest; each in (−∞, +∞].
    public var energies: [Double]

    /// A validated factor. Throws when the scope repeats a variable, a cardinality is below 1,
    /// the table does not hold exactly Π d_t entries, or an energy is NaN or −∞ (an infinite potential).
    public init(scope: [Int], cardinalities: [Int], energies: [Double]) throws(MRFError) {
        guard scope.count == cardinalities.count else {
            throw .invalidModel("factor scope \(scope) has \(scope.count) variables but \(cardinalities.count) cardinalities")
        }
        guard Set(scope).count == scope.count else {
            throw .invalidModel("factor scope \(scope) repeats a variable; list each variable once")
        }
        guard scope.allSatisfy({ $0 >= 0 }), cardinalities.allSatisfy({ $0 >= 1 }) else {
            throw .invalidModel("factor scope \(scope) needs variable indices ≥ 0 and cardinalities ≥ 1, got \(cardinalities)")
        }
        let size = cardinalities.reduce(1, *)
        guard energies.count == size else {
            throw .invalidModel("factor over \(scope) with cardinalities \(cardinalities) needs \(size) table entries, got \(energies.count)")
        }
        if let bad = energies.first(where: { $0.isNaN || $0 == -.infinity }) {
            throw .invalidModel("factor over \(scope) has energy \(bad); energies must be numbers or +∞ (a zero potential)")
        }
        self.init(unchecked: scope, cardinalities: cardinalities, energies: energies)
    }

    /// A factor whose arguments the caller (a generator or a reader that has already checked them)
    /// guarantees to be consistent.
    init(unchecked scope: [Int], cardinalities: [Int], energies: [Double]) {
        self.scope = scope
        self.cardinalities = cardinalities
        self.energies = energies
    }

    /// Row-major strides of the table: the last scope variable has stride 1.
    public var strides: [Int] {
        var strides = [Int](repeating: 1, count: scope.count)
        for t in stride(from: scope.count - 2, through: 0, by: -1) { strides[t] = strides[t + 1] * cardinalities[t + 1] }
        return strides
    }

    /// The table entry for a full labelling of the graph (indexed by variable).
    @inlinable
    public func energy(at labels: [Int]) -> Double {
        var index = 0
        for t in scope.indices { index = index * cardinalities[t] + labels[scope[t]] }
        return energies[index]
    }

    /// The labels of the scope variables at table position `index` (last variable fastest).
    public func labels(at index: Int) -> [Int] {
        var rest = index
        var labels = [Int](repeating: 0, count: scope.count)
        for t in stride(from: scope.count - 1, through: 0, by: -1) {
            labels[t] = rest % cardinalities[t]
            rest /= cardinalities[t]
        }
        return labels
    }
}
