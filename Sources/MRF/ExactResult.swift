/// The exact answers for a model: log Z, every single-variable marginal, and a most probable
/// labelling with its energy.
public struct ExactResult: Equatable, Sendable {
    /// log Z = log Σ_x exp(−E(x)).
    public let logZ: Double
    /// P(x_i = a) for every variable i and label a.
    public let marginals: [[Double]]
    /// A labelling of least energy (ties broken towards lower labels of later-decided variables).
    public let map: [Int]
    /// E(map).
    public let mapEnergy: Double
}
