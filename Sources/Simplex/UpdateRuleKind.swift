/// The name of an ``UpdateRule`` without its step size η and inverse temperature β: the one
/// vocabulary of methods on the simplex, to which the MRF solvers' and the training methods' names
/// map (docs/cli.md shows the same table by command):
///
/// | `UpdateRuleKind` | ``projection`` | `pmf mrf` (MRF's `RelaxationSettings.Method`) | `pmf train` (Quantization's `MethodKind`) |
/// |---|---|---|---|
/// | ``meanField`` | softmax | `mf` | — |
/// | ``proximalMeanField`` (≡ softmax-PGD) | softmax | `pmf`; `softmax-pgd` (other defaults) | `pmf`: through ũ, or on u with `tilde=false` |
/// | ``sparsemaxPGD`` | sparsemax | `sparsemax-pgd` | `pgd`, through ũ |
/// | ``proximalICM`` | hardmax | `picm`; `icm` (no proximal term, η = 1) | `picm`, through ũ |
/// | ``exponentiatedGradient`` | softmax | `md` | `md`, on u |
///
/// The other enums that name methods, one per concept:
/// - ``UpdateRule`` is a rule with its η and β: what a solver or trainer applies.
/// - ``ProjectionKind`` names a projection alone; ``Projection`` is one with its β. A rule's
///   projection closes its step, and Algorithm 1's ũ parametrisation (`LiftedWeights`) uses the
///   projection of the training method's rule.
/// - `RelaxationSettings.Method` names an MRF solver: a rule with its defaults, so two names can
///   share a rule (`pmf`, `softmax-pgd`), and `icm` applies PICM's rule without the proximal term.
/// - `MethodKind` names a training method: `ref`, `bc` and `pq` train float weights and have no
///   rule on the simplex; `MethodKind.rule` maps the others here. Training calls sparsemax-PGD `pgd`
///   (the paper's PGD column), the MRF tool `sparsemax-pgd` beside `softmax-pgd`.
public enum UpdateRuleKind: CaseIterable, Sendable {
    /// u ← softmax(−g).
    case meanField
    /// u ← softmax(β(u − ηg)); softmax-PGD is the same rule (Theorem 3.1).
    case proximalMeanField
    /// u ← sparsemax(β(u − ηg)).
    case sparsemaxPGD
    /// u ← hardmax(u − ηg).
    case proximalICM
    /// u_λ ← u_λ exp(−βηg_λ), normalised.
    case exponentiatedGradient

    /// The rule with step size η and inverse temperature β (each ignored by the rules without it).
    @inlinable
    public func callAsFunction<T>(eta: T, beta: T) -> UpdateRule<T> {
        switch self {
        case .meanField: .meanField
        case .proximalMeanField: .proximalMeanField(eta: eta, beta: beta)
        case .sparsemaxPGD: .sparsemaxPGD(eta: eta, beta: beta)
        case .proximalICM: .proximalICM(eta: eta)
        case .exponentiatedGradient: .exponentiatedGradient(eta: eta, beta: beta)
        }
    }

    /// The projection that closes the step.
    @inlinable
    public var projection: ProjectionKind {
        switch self {
        case .meanField, .proximalMeanField, .exponentiatedGradient: .softmax
        case .sparsemaxPGD: .sparsemax
        case .proximalICM: .hardmax
        }
    }

    /// Whether the rule has an inverse temperature β (and so is annealed by a `BetaSchedule`).
    @inlinable
    public var usesBeta: Bool {
        switch self {
        case .proximalMeanField, .sparsemaxPGD, .exponentiatedGradient: true
        case .meanField, .proximalICM: false
        }
    }
}
