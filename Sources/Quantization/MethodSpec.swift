import NeuralNet
import Simplex
import Support

/// The training methods compared in the paper (docs/paper-notes.md §4–5, §10).
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
    /// Sparsemax PGD: u = sparsemax(βũ).
    case pgd
    /// Proximal mean-field: u = softmax(βũ) (or, with tilde=false, u ← softmax(β(u − ηg))).
    case pmf
    /// Mirror descent / exponentiated gradient on u directly.
    case md
}

/// A training method with its settings, as one value that prints and parses back:
/// `ref`, `bc`, `picm`, `pq[reg=0.001]` (`pq[reg=0.001,freeze=0.5]`), `pgd[rho=1.2,every=100,cap=10000]`,
/// `pmf[rho=1.2,every=100,cap=10000,jacobian=exact]`, `pmf[…,tilde=false]`, `md[rho=…]`.
/// A bare name takes the defaults below; unknown keys and bad values are errors.
public struct MethodSpec: Equatable, Sendable, CustomStringConvertible {
    public var kind: MethodKind
    /// β schedule (pgd, pmf, md).
    public var beta = BetaSchedule()
    /// PMF's pullback matrix: the exact softmax Jacobian or the reference code's β(I − ssᵀ).
    public var jacobian = SoftmaxJacobian.exact
    /// PMF through the auxiliary ũ (Algorithm 1) or directly on u (supp. Table 3).
    public var tilde = true
    /// ProxQuant's regularisation rate: λ_e = reg · e in 0-based epoch e, the step's prox threshold
    /// η_t·λ_e (see `ProxQuantWeights`).
    public var reg = 1e-3
    /// ProxQuant's freeze point, as a fraction of the run's iterations (ProxQuant's own CIFAR runs:
    /// epoch 200 of 300); 1 hard-quantizes at the last step only.
    public var freeze = 2.0 / 3.0
    /// BinaryConnect clips w̃ to [−1, 1] after every step (the paper's BC); `bc[clip=false]` does not.
    public var clip = true

    public init(kind: MethodKind) { self.kind = kind }

    /// Keys each method accepts.
    public static func keys(for kind: MethodKind) -> [String] {
        switch kind {
        case .ref, .picm: []
        case .bc: ["clip"]
        case .pq: ["reg", "freeze"]
        case .pgd, .md: ["beta0", "rho", "every", "cap"]
        case .pmf: ["beta0", "rho", "every", "cap", "jacobian", "tilde"]
        }
    }

    public init(parsing text: String) throws(QuantizationError) {
        let spec = try SpecText(quantization: text, what: "method")
        guard let kind = MethodKind(rawValue: spec.name) else {
            throw QuantizationError("unknown method '\(spec.name)'; use one of \(MethodKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.init(kind: kind)
        try spec.check(allowed: Self.keys(for: kind), what: "method")
        let what = "method"
        let defaults = BetaSchedule()
        let initial = try spec.double("beta0", default: defaults.initial, what: what, valid: { $0 > 0 && $0.isFinite }, rule: "a positive number")
        let rho = try spec.double("rho", default: defaults.rho, what: what, valid: { $0 >= 1 && $0.isFinite }, rule: "a number ≥ 1")
        let every = try spec.integer("every", default: defaults.every, what: what)
        let cap = try spec.double("cap", default: defaults.cap, what: what, valid: { $0 >= initial && $0.isFinite }, rule: "a finite number ≥ beta0")
        guard cap >= initial else {  // the default cap is not checked by the line above
            throw QuantizationError("\(what) '\(spec.name)': beta0=\(settingText(initial)) is above the default cap \(settingText(cap)); set cap ≥ beta0 too")
        }
        beta = BetaSchedule(initial: initial, rho: rho, every: every, cap: cap)
        reg = try spec.double("reg", default: 1e-3, what: what, valid: { $0 >= 0 && $0.isFinite }, rule: "a number ≥ 0")
        freeze = try spec.double("freeze", default: 2.0 / 3.0, what: what, valid: { $0 > 0 && $0 <= 1 }, rule: "a fraction in (0, 1]")
        if let text = spec.value("jacobian") {
            guard let value = SoftmaxJacobian(rawValue: text) else {
                throw QuantizationError("method 'pmf': jacobian=\(text) is not valid; use jacobian=exact or jacobian=reference")
            }
            jacobian = value
        }
        if let text = spec.value("clip") {
            guard let value = Bool(text) else { throw QuantizationError("method 'bc': clip=\(text) is not valid; use clip=true or clip=false") }
            clip = value
        }
        if let text = spec.value("tilde") {
            guard let value = Bool(text) else { throw QuantizationError("method 'pmf': tilde=\(text) is not valid; use tilde=true or tilde=false") }
            tilde = value
        }
    }

    /// The canonical text: every setting the method takes, in a fixed order.
    public var description: String {
        var parts: [String] = []
        switch kind {
        case .ref, .picm: break
        case .bc: if !clip { parts = ["clip=false"] }
        case .pq:
            parts = ["reg=\(settingText(reg))"]
            if freeze != 2.0 / 3.0 { parts.append("freeze=\(settingText(freeze))") }
        case .pgd, .md, .pmf:
            if beta.initial != 1 { parts.append("beta0=\(settingText(beta.initial))") }
            parts += ["rho=\(settingText(beta.rho))", "every=\(beta.every)", "cap=\(settingText(beta.cap))"]
            if kind == .pmf {
                parts.append("jacobian=\(jacobian.rawValue)")
                if !tilde { parts.append("tilde=false") }
            }
        }
        return parts.isEmpty ? kind.rawValue : "\(kind.rawValue)[\(parts.joined(separator: ","))]"
    }

    /// Whether the method quantizes (everything but REF).
    public var quantizes: Bool { kind != .ref }

    /// Builds the method over `model`'s parameters, with level set `levels`. Parameters whose path
    /// equals or starts with one of `floatPrefixes` followed by "." stay in float.
    public func makeMethod(for model: any Layer, levels: QuantizationLevels = .binary,
                           floatPrefixes: [String] = []) throws(QuantizationError) -> any WeightMethod {
        let split = try ParameterSplit(model, floatPrefixes: floatPrefixes)
        switch kind {
        case .ref: return FloatWeights(model)
        case .bc: return try SignWeights(split, levels: levels, clip: clip, name: description)
        case .pq: return ProxQuantWeights(split, levels: levels, reg: reg, freeze: freeze, name: description)
        case .picm: return try LiftedWeights(split, levels: levels, kind: .picm, schedule: beta, name: description)
        case .pgd: return try LiftedWeights(split, levels: levels, kind: .pgd, schedule: beta, name: description)
        case .pmf:
            if tilde { return try LiftedWeights(split, levels: levels, kind: .pmf(jacobian), schedule: beta, name: description) }
            return SimplexWeights(split, levels: levels, rule: .proximalMeanField, schedule: beta, name: description)
        case .md: return SimplexWeights(split, levels: levels, rule: .exponentiatedGradient, schedule: beta, name: description)
        }
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

    /// The optimizer's variables for latent weights: each latent tensor with its parameter's
    /// gradient (which the method rewrites in place), then the float parameters.
    func variables(latent: [Tensor]) -> [OptimizedTensor] {
        zip(latent, quantized).map { OptimizedTensor(value: $0, gradient: $1.parameter.gradient) } + floatVariables
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

    var floatVariables: [OptimizedTensor] { float.map { OptimizedTensor(value: $0.parameter.value, gradient: $0.parameter.gradient) } }
    var floatState: [(name: String, tensor: Tensor)] { float.map { ($0.name, $0.parameter.value) } }
}
