import NeuralNet
import Simplex
import Support

/// The training methods compared in the paper (docs/paper-notes.md §4–5, §10), by their `pmf train`
/// names. Four of them train rows of the simplex by one of Simplex's rules (`rule`; the doc of
/// `UpdateRuleKind` maps them to the MRF solvers' names); REF, BC and PQ train float weights.
public enum MethodKind: String, CaseIterable, Sendable {
    /// Float weights (REF).
    case ref
    /// BinaryConnect: w = sign(w̃), straight-through gradient 1[|w̃| ≤ 1], w̃ clipped to [−1, 1].
    case bc
    /// ProxQuant: float w, soft-thresholded towards the nearest level after every step, then
    /// hard-quantized and frozen for the last part of the run.
    case pq
    /// Proximal ICM: u = hardmax(ũ), straight-through Jacobian (binary only).
    case picm
    /// Sparsemax-PGD: u = sparsemax(βũ) (the paper's PGD; `pmf mrf` calls the rule `sparsemax-pgd`).
    case pgd
    /// Proximal mean-field: u = softmax(βũ) (or, with tilde=false, u ← softmax(β(u − ηg))).
    case pmf
    /// Mirror descent / exponentiated gradient on u directly.
    case md

    /// The rule on the simplex the method trains with: its projection maps ũ to u for picm, pgd and
    /// pmf (`LiftedWeights`), and it updates u itself for md and pmf[tilde=false] (`SimplexWeights`).
    /// Nil for ref, bc and pq.
    public var rule: UpdateRuleKind? {
        switch self {
        case .ref, .bc, .pq: nil
        case .picm: .proximalICM
        case .pgd: .sparsemaxPGD
        case .pmf: .proximalMeanField
        case .md: .exponentiatedGradient
        }
    }

    /// The settings `MethodSpec(parsing:)` takes for this method, in the order it reads them: the
    /// one list sweeps and other spec writers consult.
    public var settingKeys: [String] {
        let beta = ["beta0", "rho", "every", "cap"]
        switch self {
        case .ref: return []
        case .bc: return ["clip"]
        case .pq: return ["reg", "span", "freeze"]
        case .picm: return ["init"]
        case .pgd, .md: return beta + ["init"]
        case .pmf: return beta + ["jacobian", "tilde", "init"]
        }
    }
}

/// A training method with its settings, as one value that prints and parses back:
/// `ref`, `bc`, `picm[init=tied]`, `pq[reg=0.001]` (`pq[reg=0.001,span=40,freeze=0.5]`),
/// `pgd[rho=1.2,every=100,cap=10000,init=tied]`, `pmf[rho=1.2,every=100,cap=10000,jacobian=exact,init=tied]`,
/// `pmf[…,tilde=false]`, `md[rho=…,init=tied]`. A bare name takes the defaults below; unknown keys
/// and bad values are errors. The canonical text (`description`) always shows the β schedule (but
/// β₀ = 1), PMF's `jacobian` and the `init` of the methods that keep a matrix per parameter, and the
/// other settings only where they differ from their defaults.
public struct MethodSpec: Equatable, Sendable, CustomStringConvertible {
    public var kind: MethodKind
    /// β schedule (pgd, pmf, md).
    public var beta = BetaSchedule()
    /// PMF's pullback matrix: the exact softmax Jacobian, the reference code's two-softmax
    /// β(I − s′s′ᵀ) or the one-softmax β(I − ssᵀ) (docs/paper-notes.md §9).
    public var jacobian = SoftmaxJacobian.exact
    /// How ũ⁰ starts (picm, pgd, pmf; md and pmf[tilde=false] start from u⁰ = softmax(β₀ũ⁰)).
    public var initialization = ScoreInitialization.tied
    /// PMF through the auxiliary ũ (Algorithm 1) or directly on u (supp. Table 3).
    public var tilde = true
    /// ProxQuant's regularisation rate: λ_e = reg · e in 0-based epoch e, the step's prox threshold
    /// η_t·λ_e (see `ProxQuantWeights`).
    public var reg = 1e-3
    /// ProxQuant's epoch count for λ: e is the epoch of a run of `span` epochs laid over this run's
    /// iterations, e = ⌊span·t/T⌋ at iteration t of T, whatever the run's own length; nil counts the
    /// run's own data epochs (ProxQuant's code at its own length).
    public var span: Int?
    /// ProxQuant's freeze point, as a fraction of the run's iterations (ProxQuant's own CIFAR runs:
    /// epoch 200 of 300); 1 hard-quantizes at the last step only.
    public var freeze = 2.0 / 3.0
    /// BinaryConnect clips w̃ to [−1, 1] after every step (the paper's BC); `bc[clip=false]` does not.
    public var clip = true

    public init(kind: MethodKind) { self.kind = kind }

    public init(parsing text: String) throws(QuantizationError) {
        var reader = try SpecReader<QuantizationError>(parsing: text, what: "method")
        guard let kind = MethodKind(rawValue: reader.spec.name) else {
            throw QuantizationError("unknown method '\(reader.spec.name)'; use one of \(MethodKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.init(kind: kind)
        switch kind {
        case .ref: break
        case .bc: clip = try reader.flag("clip", default: clip)
        case .pq:
            reg = try reader.number("reg", default: reg, "a number ≥ 0") { $0 >= 0 && $0.isFinite }
            let given = try reader.integer("span", default: 0, "an integer ≥ 1") { $0 >= 1 }  // 0: not given
            span = given >= 1 ? given : nil
            freeze = try reader.number("freeze", default: freeze, "a fraction in (0, 1]") { $0 > 0 && $0 <= 1 }
        case .picm:
            initialization = try reader.choice("init", default: initialization)
        case .pgd, .md, .pmf:
            beta = try BetaSchedule(reading: &reader, defaults: beta)
            if kind == .pmf {
                jacobian = try reader.choice("jacobian", default: jacobian)
                tilde = try reader.flag("tilde", default: tilde)
            }
            initialization = try reader.choice("init", default: initialization)
        }
        try reader.finish()
    }

    /// The canonical text: every setting the method takes, in a fixed order.
    public var description: String {
        var parts: [String] = []
        switch kind {
        case .ref: break
        case .bc: if !clip { parts = ["clip=false"] }
        case .pq:
            parts = ["reg=\(SpecText.number(reg))"]
            if let span { parts.append("span=\(span)") }
            if freeze != 2.0 / 3.0 { parts.append("freeze=\(SpecText.number(freeze))") }
        case .picm:
            parts = ["init=\(initialization.rawValue)"]
        case .pgd, .md, .pmf:
            // β₀ only when it differs from 1; ρ, every and cap always, so the text shows the schedule.
            parts = beta.settings(comparedWith: BetaSchedule()).filter { $0.key != "beta0" || !$0.isDefault }.map { "\($0.key)=\($0.value)" }
            if kind == .pmf {
                parts.append("jacobian=\(jacobian.rawValue)")
                if !tilde { parts.append("tilde=false") }
            }
            parts.append("init=\(initialization.rawValue)")
        }
        return parts.isEmpty ? kind.rawValue : "\(kind.rawValue)[\(parts.joined(separator: ","))]"
    }

    /// Whether the method quantizes (everything but REF).
    public var quantizes: Bool { kind != .ref }

    /// Builds the method over `model`'s parameters, with level set `levels`. Parameters whose path
    /// equals or starts with one of `floatPrefixes` followed by "." stay in float. `random` is the
    /// run's random source, which `init=independent` draws ũ⁰ from (`LevelRows.initialScores` gives
    /// the order); the other methods and `init=tied` draw nothing.
    /// - Throws: `QuantizationError` for a level set the method cannot use, a prefix that matches no
    ///   parameter, or `init=independent` without `random`.
    public func makeMethod(for model: any Layer, levels: QuantizationLevels = .binary, floatPrefixes: [String] = [],
                           random: RandomSource? = nil) throws(QuantizationError) -> any WeightMethod {
        let split = try ParameterSplit(model, floatPrefixes: floatPrefixes)
        func scores() throws(QuantizationError) -> [Tensor] {
            try LevelRows.initialScores(split, levels: levels.vector(Float.self), start: initialization, random: random)
        }
        guard let rule = kind.rule else {
            switch kind {
            case .bc: return try SignWeights(split, levels: levels, clip: clip, name: description)
            case .pq: return ProxQuantWeights(split, levels: levels, reg: reg, span: span, freeze: freeze, name: description)
            default: return FloatWeights(model)  // ref; the others have a rule
            }
        }
        if kind == .md || kind == .pmf && !tilde {
            return SimplexWeights(split, levels: levels, rule: rule, schedule: beta, scores: try scores(), name: description)
        }
        return try LiftedWeights(split, levels: levels, projection: rule.projection, jacobian: jacobian, schedule: beta,
                                 scores: try scores(), name: description)
    }
}

/// A model's parameters split into those a method quantizes and those it keeps in float.
public struct ParameterSplit {
    /// A copy of each quantized parameter's current values: the float latent weights (w̃, w) that
    /// BC and ProxQuant train in its place.
    func latentCopies() -> [Tensor] {
        quantized.map { entry in
            let t = Tensor(shape: entry.parameter.value.shape)
            t.copy(from: entry.parameter.value)
            return t
        }
    }

    /// The optimizer's variables for latent weights: each latent tensor, named `PATH/role`, with its
    /// parameter's gradient (which the method rewrites in place), then the float parameters.
    func variables(latent: [Tensor], role: String) -> [OptimizedTensor] {
        zip(latent, quantized).map { OptimizedTensor(name: "\($1.name)/\(role)", value: $0, gradient: $1.parameter.gradient) }
            + floatVariables
    }

    public let quantized: [(name: String, parameter: Parameter)]
    public let float: [(name: String, parameter: Parameter)]

    public init(_ model: any Layer, floatPrefixes: [String] = []) throws(QuantizationError) {
        let named = model.namedParameters(prefix: "")
        func keep(_ name: String, _ prefix: String) -> Bool { name == prefix || name.hasPrefix(prefix + ".") }
        for prefix in floatPrefixes where !named.contains(where: { keep($0.name, prefix) }) {
            throw QuantizationError("--float-layers: no parameter path starts with '\(prefix)'; the paths are \(named.map(\.name).joined(separator: ", "))")
        }
        quantized = named.filter { entry in !floatPrefixes.contains { keep(entry.name, $0) } }
        float = named.filter { entry in floatPrefixes.contains { keep(entry.name, $0) } }
    }

    var floatVariables: [OptimizedTensor] {
        float.map { OptimizedTensor(name: $0.name, value: $0.parameter.value, gradient: $0.parameter.gradient) }
    }
    var floatState: [(name: String, tensor: Tensor)] { float.map { ($0.name, $0.parameter.value) } }
}
