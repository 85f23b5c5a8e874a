/// Where a data file came from, written into its `#` header: the command that produced it, the
/// seed of its random source (`nil` when the computation used none) and the toolkit version.
/// The values are passed in, never read from the environment, so reruns give identical files.
public struct Provenance: Equatable, Sendable {
    /// The producing command line, e.g. `pmf mrf solve --seed 3 chain.uai`.
    public var command: String
    /// The seed of the experiment's random source, or `nil` for a deterministic computation.
    public var seed: UInt64?
    /// The toolkit version, e.g. `PMFKit 0.1.0`.
    public var version: String

    /// Creates a provenance record; no field may contain a line break (checked when written).
    public init(command: String, seed: UInt64?, version: String) {
        self.command = command
        self.seed = seed
        self.version = version
    }
}
