import Support

/// Settings of exact inference, as text `exact[method=eliminate,maxstates=1048576,maxclique=4194304]`:
/// `method` is `eliminate` (junction tree on a min-fill order) or `enumerate` (every labelling);
/// `maxstates` bounds enumeration and `maxclique` the largest clique of elimination.
public struct ExactSettings: Equatable, Sendable, CustomStringConvertible {
    /// Junction tree or enumeration.
    public enum Method: String, CaseIterable, Sendable { case eliminate, enumerate }

    /// `method`.
    public var method: Method = .eliminate
    /// `maxstates`: the most labellings enumeration visits.
    public var maxStates: Double = Enumeration().maxStates
    /// `maxclique`: the largest clique (in joint labels) elimination builds.
    public var maxCliqueStates: Double = JunctionTree().maxCliqueStates

    /// The defaults.
    public init() {}

    /// Settings from a property string named `exact`.
    public init(_ spec: SpecText) throws(MRFError) {
        guard spec.name == "exact" else { throw .invalidSpec("'\(spec.name)' is not exact") }
        var reader = SpecReader<MRFError>(spec)
        method = try reader.choice("method", default: method)
        maxStates = try reader.number("maxstates", default: maxStates, "a number ≥ 1") { $0 >= 1 }
        maxCliqueStates = try reader.number("maxclique", default: maxCliqueStates, "a number ≥ 1") { $0 >= 1 }
        try reader.finish()
    }

    /// Runs the chosen method.
    public func solve(_ graph: CompiledGraph) throws(MRFError) -> ExactResult {
        switch method {
        case .eliminate: try JunctionTree(maxCliqueStates: maxCliqueStates).solve(graph)
        case .enumerate: try Enumeration(maxStates: maxStates).solve(graph)
        }
    }

    /// The canonical spec text, e.g. `exact[method=enumerate]`; parses back to equal settings.
    public var description: String {
        let d = ExactSettings()
        return canonicalSpec("exact", [
            ("method", method.rawValue, method == d.method),
            ("maxstates", Self.format(maxStates), maxStates == d.maxStates),
            ("maxclique", Self.format(maxCliqueStates), maxCliqueStates == d.maxCliqueStates),
        ])
    }

    private static func format(_ x: Double) -> String { x < 1e15 && x == x.rounded() ? "\(Int(x))" : "\(x)" }
}
