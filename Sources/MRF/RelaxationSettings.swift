import Simplex
import RealModule
import Support

/// The settings of every relaxation solver: one gradient of a `RelaxedObjective` per variable, fed to
/// one of Simplex's shared `UpdateRule`s, in a sequential or parallel schedule. As text:
///
/// | name | rule | defaults |
/// |---|---|---|
/// | `mf` | naive mean-field, u_i ← softmax(−g_i) | order=fixed, maxiter=100 |
/// | `pmf` | proximal mean-field, softmax(β(u_i − ηg_i)) | eta=1, beta0=1, rho=1.05, every=10, order=parallel, maxiter=200 |
/// | `softmax-pgd` | softmax-PGD: PMF's rule (Theorem 3.1) with step-size defaults | eta=0.1, beta0=1, rho=1.1, every=5, order=parallel, maxiter=200 |
/// | `sparsemax-pgd` | sparsemax-PGD, sparsemax(β(u_i − ηg_i)) (what `pmf train` calls `pgd`) | eta=0.1, beta0=1, rho=1, every=10, order=parallel, maxiter=200 |
/// | `md` | exponentiated gradient, u_i ∘ exp(−βηg_i) | eta=0.5, beta0=1, rho=1, every=10, order=parallel, maxiter=200 |
/// | `picm` | proximal ICM, hardmax(u_i − ηg_i): from a vertex, moves only for a gain > 1/η | eta=2, order=fixed, init=vertex, maxiter=100 |
/// | `icm` | ICM, hardmax(−g_i) (PICM without the proximal term) | order=fixed, init=vertex, maxiter=100 |
///
/// Shared keys: `order` (fixed | random | parallel), `damping` α ∈ [0,1) (parallel: u ← (1−α)·new + α·old),
/// `maxiter`, `tol` (stop once the largest change of u is below it), `seed` (for order=random) and
/// `init` (uniform | vertex: hardmax(−g) at the uniform point). The annealed rules take the shared
/// `BetaSchedule` keys `beta0`, `rho`, `every` and `cap`: iteration k (1-based) uses β(k − 1) =
/// min(cap, β₀ρ^⌊(k−1)/every⌋).
public struct RelaxationSettings: Equatable, Sendable, CustomStringConvertible {
    /// The solver's name in spec text: an update rule (`rule`) with its defaults. `pmf` and
    /// `softmax-pgd` share a rule (Theorem 3.1) and differ in defaults; `icm` is PICM's rule without
    /// the proximal term. `UpdateRuleKind`'s doc (Simplex) maps these names to the training methods'.
    public enum Method: String, CaseIterable, Sendable {
        case mf, pmf, softmaxPGD = "softmax-pgd", sparsemaxPGD = "sparsemax-pgd", md, picm, icm

        /// The shared rule the method applies.
        public var rule: UpdateRuleKind {
            switch self {
            case .mf: .meanField
            case .pmf, .softmaxPGD: .proximalMeanField
            case .sparsemaxPGD: .sparsemaxPGD
            case .md: .exponentiatedGradient
            case .picm, .icm: .proximalICM
            }
        }
    }
    /// Which variables see which values: one at a time in index order, one at a time in a fresh
    /// random order per sweep, or all at once from the previous iterate.
    public enum Order: String, CaseIterable, Sendable { case fixed, random, parallel }
    /// The starting point.
    public enum Start: String, CaseIterable, Sendable { case uniform, vertex }

    /// The method (`mf`, `pmf`, …).
    public var method: Method
    /// The schedule (`order`).
    public var order: Order
    /// Step size η > 0 (`eta`; not used by mf and icm).
    public var eta: Double
    /// The inverse temperature's schedule (`beta0`, `rho`, `every`, `cap`; annealed rules only).
    public var beta: BetaSchedule
    /// Damping α ∈ [0, 1) of each row update (`damping`).
    public var damping: Double
    /// Largest number of iterations (`maxiter`).
    public var maxIterations: Int
    /// Stop once the largest change of an entry of u is below this (`tol`).
    public var tolerance: Double
    /// Seed of the random order (`seed`).
    public var seed: Int
    /// Starting point (`init`).
    public var start: Start

    /// The defaults of `method` (see the table above).
    public init(_ method: Method) {
        self.method = method
        let annealed = method.rule.usesBeta
        order = annealed ? .parallel : .fixed
        eta = switch method { case .pmf: 1; case .softmaxPGD, .sparsemaxPGD: 0.1; case .md: 0.5; case .picm: 2; case .mf, .icm: 1 }
        let rho: Double = switch method { case .pmf: 1.05; case .softmaxPGD: 1.1; default: 1 }
        beta = BetaSchedule(initial: 1, rho: rho, every: method == .softmaxPGD ? 5 : 10)
        damping = 0
        maxIterations = annealed ? 200 : 100
        tolerance = 1e-9
        seed = 0
        start = method == .picm || method == .icm ? .vertex : .uniform
    }

    /// Settings from a property string whose name is one of `Method`'s.
    public init(_ spec: SpecText) throws(MRFError) {
        guard let method = Method(rawValue: spec.name) else {
            throw .invalidSpec("unknown relaxation method '\(spec.name)'; use one of \(Method.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.init(method)
        var reader = SpecReader<MRFError>(spec)
        if usesEta { eta = try reader.number("eta", default: eta, "a number > 0") { $0 > 0 && $0.isFinite } }
        if usesBeta { beta = try BetaSchedule(reading: &reader, defaults: beta) }
        order = try reader.choice("order", default: order)
        damping = try reader.number("damping", default: damping, "in [0, 1)") { $0 >= 0 && $0 < 1 }
        maxIterations = try reader.integer("maxiter", default: maxIterations, "an integer ≥ 0") { $0 >= 0 }
        tolerance = try reader.number("tol", default: tolerance, "a number ≥ 0") { $0 >= 0 }
        seed = try reader.integer("seed", default: seed, "an integer ≥ 0") { $0 >= 0 }
        start = try reader.choice("init", default: start)
        try reader.finish()
    }

    /// Whether the rule has a step size η.
    public var usesEta: Bool { method != .mf && method != .icm }
    /// Whether the rule has an inverse temperature β (and its schedule).
    public var usesBeta: Bool { method.rule.usesBeta }
    /// Whether the rule keeps the proximal term (the current row) — false for mean-field and ICM,
    /// which apply their rule to a zero row (docs/paper-notes.md §3: without the proximal term, η = β = 1 is
    /// mean-field).
    public var keepsProximalTerm: Bool { usesEta }

    /// β in iteration k (1-based): the schedule's β at 0-based iteration k − 1.
    public func beta(atIteration k: Int) -> Double {
        usesBeta ? beta.beta(at: k - 1) : 1
    }

    /// The shared update rule at inverse temperature β (η = 1 where the method has no step size).
    public func rule(beta: Double) -> UpdateRule<Double> { method.rule(eta: usesEta ? eta : 1, beta: beta) }

    /// The canonical spec text, e.g. `pmf[eta=0.5,rho=1.1]`: the rule's name and the settings that differ from its defaults.
    public var description: String {
        let defaults = RelaxationSettings(method)
        var settings: [(key: String, value: String, isDefault: Bool)] = []
        if usesEta { settings.append(("eta", SpecText.number(eta), eta == defaults.eta)) }
        if usesBeta { settings += beta.settings(comparedWith: defaults.beta) }
        settings += [
            ("order", order.rawValue, order == defaults.order), ("damping", SpecText.number(damping), damping == defaults.damping),
            ("maxiter", "\(maxIterations)", maxIterations == defaults.maxIterations),
            ("tol", "\(tolerance)", tolerance == defaults.tolerance), ("seed", "\(seed)", seed == defaults.seed),
            ("init", start.rawValue, start == defaults.start),
        ]
        return canonicalSpec(method.rawValue, settings)
    }
}
