import Foundation

/// Observed values of some variables, x_v = a for each (v, a), and where they came from (a file
/// name, or the text given on the command line) so that errors can name it.
///
/// Three spellings are read:
/// - the UAI 2014 `.evid` file: one line `N v₁ a₁ … v_N a_N`;
/// - the older UAI (2008–2012) `.evid` file, whose first token is the number of samples S, each
///   sample then written as `N v₁ a₁ …`; only the first sample is used;
/// - a list `v=a,v=a` (commas and/or spaces between pairs), as given to `--evidence`.
///
/// The two file forms are told apart by the number of tokens T and the first token F: a file with
/// T = 1 + 2F is read in the 2014 form, any other as the older form (1 + S + 2ΣN_s tokens), which
/// must then be complete. (An older-form file with S = 2ΣN_s, e.g. two samples of which one
/// observes one variable and the other none, also fits the 2014 form and is read as such.)
public struct Evidence: Equatable, Sendable {
    /// The observations, in the order given; each variable at most once.
    public let observations: [(variable: Int, label: Int)]
    /// The file name or the text the evidence was read from (used in error messages).
    public let source: String

    /// Evidence from pairs; a variable given twice with different labels is an error.
    public init(_ observations: [(variable: Int, label: Int)], source: String = "evidence") throws(MRFError) {
        var seen: [Int: Int] = [:]
        var kept: [(variable: Int, label: Int)] = []
        for (k, pair) in observations.enumerated() {
            guard pair.variable >= 0, pair.label >= 0 else {
                throw .invalidModel("\(source): pair \(k + 1) (\(pair.variable)=\(pair.label)) has a negative variable or label; use indices from 0")
            }
            if let known = seen[pair.variable] {
                guard known == pair.label else {
                    throw .invalidModel("\(source): pair \(k + 1) observes variable \(pair.variable) = \(pair.label) but it was already observed = \(known); give each variable once")
                }
                continue
            }
            seen[pair.variable] = pair.label
            kept.append(pair)
        }
        self.init(checked: kept, source: source)
    }

    private init(checked observations: [(variable: Int, label: Int)], source: String) {
        self.observations = observations
        self.source = source
    }

    /// No observations.
    public static let none = Evidence(checked: [], source: "no evidence")

    /// Whether nothing is observed.
    public var isEmpty: Bool { observations.isEmpty }

    /// The observed label of every variable of a model with `count` variables (nil where free).
    public func labels(count: Int) -> [Int?] {
        var labels = [Int?](repeating: nil, count: count)
        for (v, a) in observations where v < count { labels[v] = a }
        return labels
    }

    /// Parses the text of a UAI `.evid` file (either form, see the type's documentation).
    public static func parseUAI(_ text: String, file: String) throws(MRFError) -> Evidence {
        var reader = TokenReader(text: text, file: file)
        let tokenCount = reader.tokensLeft
        if tokenCount == 0 { return Evidence(checked: [], source: file) }
        var pairs: [(variable: Int, label: Int)] = []
        let first = try reader.integer("the number of observed variables (2014 form) or of samples (older form), an integer ≥ 0")
        if first <= tokenCount, tokenCount == 1 + 2 * first {
            for k in 0 ..< first { pairs.append(try readPair(&reader, k)) }
        } else {
            guard first >= 1 else { throw reader.failure("nothing after 0 (an empty 2014-form evidence file is just `0`)") }
            for sample in 0 ..< first {
                let count = try reader.integer("the number of observed variables of sample \(sample + 1) of \(first) (an integer ≥ 0)")
                for k in 0 ..< count {
                    let pair = try readPair(&reader, k)
                    if sample == 0 { pairs.append(pair) }
                }
            }
        }
        try reader.expectEnd()
        return try Evidence(pairs, source: file)
    }

    private static func readPair(_ reader: inout TokenReader, _ k: Int) throws(MRFError) -> (variable: Int, label: Int) {
        let v = try reader.integer("the variable index of observation \(k + 1) (an integer ≥ 0)")
        let a = try reader.integer("the observed value of variable \(v) (observation \(k + 1), an integer ≥ 0)")
        return (v, a)
    }

    /// Parses `v=a,v=a` (pairs separated by commas and/or whitespace).
    public static func parseList(_ text: String, source: String = "--evidence") throws(MRFError) -> Evidence {
        var pairs: [(variable: Int, label: Int)] = []
        let items = text.split(whereSeparator: { $0 == "," || $0.isWhitespace })
        for (k, item) in items.enumerated() {
            let parts = item.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2, let v = Int(parts[0]), let a = Int(parts[1]) else {
                throw .invalidModel("\(source) '\(text)': item \(k + 1) '\(item)' is not variable=value (e.g. 3=1,7=0)")
            }
            pairs.append((v, a))
        }
        return try Evidence(pairs, source: "\(source) '\(text)'")
    }

    /// Whether `--evidence` text is an inline list rather than a file name: it contains `=` and
    /// consists only of digits, `=`, `,`, `-` and whitespace.
    public static func looksLikeList(_ text: String) -> Bool {
        text.contains("=") && text.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "=" || $0 == "," || $0 == "-" || $0.isWhitespace) }
    }

    /// Reads `--evidence` text: an inline list (`3=1,7=0`, see `looksLikeList`) or a `.evid` file.
    public static func read(_ argument: String) throws(MRFError) -> Evidence {
        if looksLikeList(argument) { return try parseList(argument) }
        guard let data = FileManager.default.contents(atPath: argument) else {
            throw .io("cannot read the evidence file \(argument); check that it exists, or write a list such as 3=1,7=0")
        }
        return try parseUAI(String(decoding: data, as: UTF8.self), file: argument)
    }

    /// The UAI 2014 text of this evidence: `N v₁ a₁ …` on one line.
    public var uaiText: String {
        ([observations.count] + observations.flatMap { [$0.variable, $0.label] }).map(String.init).joined(separator: " ") + "\n"
    }

    public static func == (a: Evidence, b: Evidence) -> Bool {
        a.observations.map(\.variable) == b.observations.map(\.variable) && a.observations.map(\.label) == b.observations.map(\.label)
    }
}

/// A model conditioned on evidence: every factor sliced at the observed labels, giving a smaller
/// `reduced` graph over the free variables (renumbered 0 …, in increasing original order). Factors
/// whose every variable is observed become one constant (empty-scope) factor, so the reduced
/// graph's log Z is log Σ_{x consistent with the evidence} exp(−E(x)) — the UAI PR quantity — and
/// its distribution is P(x_free | evidence). When every variable is observed, the reduced graph has
/// one placeholder variable with a single label (it contributes log 1 = 0 and is dropped on expansion).
///
/// Solve `reduced` with any algorithm, then `expand` the result: observed variables get one-hot
/// marginal rows and their observed labels.
public struct ConditionedGraph: Sendable {
    /// The original model.
    public let original: FactorGraph
    /// The evidence.
    public let evidence: Evidence
    /// The model over the free variables given the evidence.
    public let reduced: FactorGraph
    /// For each variable of `reduced`, its index in `original` (empty when every variable is observed).
    public let freeVariables: [Int]
    /// The observed label of each original variable, nil where free.
    public let observed: [Int?]

    /// Conditions `graph` on `evidence`. Throws `.invalidModel` (one line naming the evidence source,
    /// the pair and the value) for a variable or label out of range, and when the evidence has
    /// probability zero in a way visible factor by factor (an observed factor at a zero potential,
    /// or a factor with every remaining entry zero). Contradictions that only the whole model shows
    /// are found by the exact solver (`ConditionedGraph.contradiction`).
    public init(_ graph: FactorGraph, evidence: Evidence) throws(MRFError) {
        let n = graph.variableCount
        for (k, pair) in evidence.observations.enumerated() {
            guard pair.variable < n else {
                throw .invalidModel("\(evidence.source): observation \(k + 1) names variable \(pair.variable) but the model has \(n) variables (0 … \(n - 1))")
            }
            let d = graph.cardinalities[pair.variable]
            guard pair.label < d else {
                throw .invalidModel("\(evidence.source): observation \(k + 1) gives variable \(pair.variable) the value \(pair.label) but it has \(d) labels (0 … \(d - 1))")
            }
        }
        let observed = evidence.labels(count: n)
        guard !evidence.isEmpty else {
            (original, self.evidence, reduced, freeVariables, self.observed) = (graph, evidence, graph, Array(0 ..< n), observed)
            return
        }
        var newIndex = [Int](repeating: -1, count: n)
        var free: [Int] = []
        for v in 0 ..< n where observed[v] == nil {
            newIndex[v] = free.count
            free.append(v)
        }
        var factors: [Factor] = []
        var constant = 0.0
        for (f, factor) in graph.factors.enumerated() {
            let keep = factor.scope.indices.filter { observed[factor.scope[$0]] == nil }
            if keep.count == factor.scope.count {
                factors.append(Factor(unchecked: factor.scope.map { newIndex[$0] }, cardinalities: factor.cardinalities, energies: factor.energies))
                continue
            }
            let strides = factor.strides
            var base = 0
            for t in factor.scope.indices { if let a = observed[factor.scope[t]] { base += a * strides[t] } }
            let cards = keep.map { factor.cardinalities[$0] }
            let size = cards.reduce(1, *)
            var energies = [Double](repeating: 0, count: size)
            var labels = [Int](repeating: 0, count: keep.count)
            for k in 0 ..< size {
                var index = base
                for (s, t) in keep.enumerated() { index += labels[s] * strides[t] }
                energies[k] = factor.energies[index]
                var s = keep.count - 1
                while s >= 0 {
                    labels[s] += 1
                    if labels[s] < cards[s] { break }
                    labels[s] = 0
                    s -= 1
                }
            }
            guard energies.contains(where: { $0 < .infinity }) else {
                let given = factor.scope.compactMap { v in observed[v].map { "x\(v)=\($0)" } }.joined(separator: ",")
                throw .invalidModel("\(evidence.source): the evidence \(given) has probability zero: factor \(f) (scope \(factor.scope)) is 0 for every labelling consistent with it; check the observed values")
            }
            if keep.isEmpty {
                constant += energies[0]
            } else {
                factors.append(Factor(unchecked: keep.map { newIndex[factor.scope[$0]] }, cardinalities: cards, energies: energies))
            }
        }
        if constant != 0 { factors.append(Factor(unchecked: [], cardinalities: [], energies: [constant])) }
        let cardinalities = free.isEmpty ? [1] : free.map { graph.cardinalities[$0] }
        self.original = graph
        self.evidence = evidence
        self.reduced = FactorGraph(unchecked: cardinalities, factors: factors)
        self.freeVariables = free
        self.observed = observed
    }

    /// The labelling of the original model from one of `reduced`.
    public func expand(labels: [Int]) -> [Int] {
        var full = observed.map { $0 ?? 0 }
        for (k, v) in freeVariables.enumerated() where k < labels.count { full[v] = labels[k] }
        return full
    }

    /// The marginals of the original model from those of `reduced`: observed variables as one-hot rows.
    public func expand(marginals: [[Double]]) -> [[Double]] {
        var rows = original.cardinalities.indices.map { v -> [Double] in
            var row = [Double](repeating: 0, count: original.cardinalities[v])
            if let a = observed[v] { row[a] = 1 }
            return row
        }
        for (k, v) in freeVariables.enumerated() where k < marginals.count { rows[v] = marginals[k] }
        return rows
    }

    /// A result on `reduced` as a result on the original model (log Z, energy and trace unchanged:
    /// the reduced model's constant factor carries the observed factors).
    public func expand(_ result: SolverResult) -> SolverResult {
        var out = result
        out.marginals = expand(marginals: result.marginals)
        out.labels = expand(labels: result.labels)
        return out
    }

    /// An exact result on `reduced` as one on the original model.
    public func expand(_ result: ExactResult) -> ExactResult {
        ExactResult(logZ: result.logZ, marginals: expand(marginals: result.marginals), map: expand(labels: result.map),
                    mapEnergy: result.mapEnergy)
    }

    /// The error for evidence whose restricted sum is zero (found by exact inference on `reduced`).
    public var contradiction: MRFError {
        .invalidModel("\(evidence.source): the evidence has probability zero (every labelling consistent with it violates a hard constraint, so the restricted sum is 0); check the observed values")
    }

    /// `error` from solving `reduced`, with Z = 0 reported as contradictory evidence when there is evidence.
    public func explain(_ error: MRFError) -> MRFError {
        error == .zeroPartition && !evidence.isEmpty ? contradiction : error
    }
}

extension MRFError {
    /// Exact inference found Z = 0: every labelling has infinite energy.
    public static let zeroPartition = MRFError.invalidModel(
        "every labelling violates a hard constraint (Z = 0), so there are no marginals; relax a zero potential")
}
