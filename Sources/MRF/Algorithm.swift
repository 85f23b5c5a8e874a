import Support

/// Any inference algorithm with its settings — one value that prints as its spec text and parses
/// back (`Algorithm(parsing: a.description) == a`). Bare names take the defaults:
/// `exact`, `mf`, `pmf`, `pgd`, `sparsemax`, `md`, `picm`, `icm`, `bp`, `trw`.
public enum Algorithm: Equatable, Sendable, CustomStringConvertible {
    /// Exact inference (`exact`).
    case exact(ExactSettings)
    /// A relaxation method over u ∈ Δ^m (`mf`, `pmf`, `pgd`, `sparsemax`, `md`, `picm`, `icm`).
    case relaxation(RelaxationSettings)
    /// Loopy belief propagation (`bp`).
    case beliefPropagation(BPSettings)
    /// Tree-reweighted belief propagation (`trw`), an upper bound on log Z.
    case treeReweighted(TRWSettings)

    /// Every algorithm at its defaults, in the order `pmf mrf compare` lists them.
    public static let all: [Algorithm] = [.exact(ExactSettings())]
        + RelaxationSettings.Method.allCases.map { .relaxation(RelaxationSettings($0)) }
        + [.beliefPropagation(BPSettings()), .beliefPropagation({ var s = BPSettings(); s.inference = .max; return s }()),
           .treeReweighted(TRWSettings())]

    /// The default lists of the commands, kept here together. `pmf mrf solve`: exact inference (the
    /// reference), mean-field, proximal mean-field and loopy BP.
    public static let solveDefaults: [Algorithm] = [.exact(ExactSettings()), .relaxation(RelaxationSettings(.mf)),
                                                    .relaxation(RelaxationSettings(.pmf)), .beliefPropagation(BPSettings())]
    /// `pmf mrf compare`: every approximate algorithm of `all` (exact inference is the reference it compares against).
    public static let compareDefaults: [Algorithm] = all.filter { if case .exact = $0 { false } else { true } }
    /// `pmf mrf evaluate` and `Evaluation`: mean-field (a lower bound on log Z), proximal mean-field
    /// (annealed towards a labelling), loopy BP (Bethe) and tree-reweighted BP (an upper bound);
    /// exact inference is left out because the answer files are the reference (add it to check them).
    public static let evaluateDefaults: [Algorithm] = [.relaxation(RelaxationSettings(.mf)), .relaxation(RelaxationSettings(.pmf)),
                                                       .beliefPropagation(BPSettings()), .treeReweighted(TRWSettings())]

    /// Parses a spec such as `pmf[eta=0.5,beta0=1,rho=1.05,every=10]`; unknown names, keys or values
    /// throw `.invalidSpec` with the allowed choices.
    public init(parsing text: String) throws(MRFError) {
        let spec: SpecText
        do { spec = try SpecText(parsing: text, what: "algorithm") } catch { throw .invalidSpec(error.description) }
        switch spec.name {
        case "exact": self = .exact(try ExactSettings(spec))
        case "bp": self = .beliefPropagation(try BPSettings(spec))
        case "trw": self = .treeReweighted(try TRWSettings(spec))
        case let name where RelaxationSettings.Method(rawValue: name) != nil: self = .relaxation(try RelaxationSettings(spec))
        default:
            throw .invalidSpec("unknown algorithm '\(spec.name)'; use one of exact, \(RelaxationSettings.Method.allCases.map(\.rawValue).joined(separator: ", ")), bp, trw")
        }
    }

    /// The canonical spec text (settings that differ from the defaults); parses back to an equal value.
    public var description: String {
        switch self {
        case .exact(let s): s.description
        case .relaxation(let s): s.description
        case .beliefPropagation(let s): s.description
        case .treeReweighted(let s): s.description
        }
    }

    /// Runs on a model, the relaxation methods on its expected energy. With `reference` (the exact
    /// answer) the trace also records marginal and log Z errors; `recording` chooses between the
    /// final trace point only and one per iteration (`IterativeSolver.run`).
    public func run(on graph: CompiledGraph, reference: ExactResult? = nil, recording: TraceRecording = .final) throws(MRFError) -> SolverResult {
        switch self {
        case .exact(let settings):
            return SolverResult(exact: try settings.solve(graph), algorithm: description)
        case .relaxation(let settings):
            return RelaxationSolver(settings, objective: ExpectedEnergy(graph)).run(reference: reference, recording: recording)
        case .beliefPropagation(let settings):
            return try BeliefPropagation(settings, graph: graph).run(reference: reference, recording: recording)
        case .treeReweighted(let settings):
            return try TreeReweightedBP(settings, graph: graph).run(reference: reference, recording: recording)
        }
    }
}
