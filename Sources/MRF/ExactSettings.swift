import Support

/// Settings of exact inference, as text `exact[method=eliminate,maxstates=1048576,maxbytes=6G,order=minfill]`:
/// `method` is `eliminate` (junction tree) or `enumerate` (every labelling); `maxstates` bounds
/// enumeration and `maxbytes` the memory of the junction tree's tables (default: a quarter of the
/// machine's physical memory, decided when it runs; a number of bytes with an optional binary unit
/// K, M, G or T); `order` is the elimination heuristic, `minfill` or `minweight`.
public struct ExactSettings: Equatable, Sendable, CustomStringConvertible {
    /// Junction tree or enumeration.
    public enum Method: String, CaseIterable, Sendable { case eliminate, enumerate }

    /// `method`.
    public var method: Method = .eliminate
    /// `maxstates`: the most labellings enumeration visits.
    public var maxStates: Double = Enumeration().maxStates
    /// `maxbytes`: the most memory elimination's tables may take; nil for a quarter of physical memory.
    public var maxBytes: Double?
    /// `order`: the elimination heuristic, `minfill` or `minweight`.
    public var order: JunctionTree.Heuristic = .minfill

    /// The defaults.
    public init() {}

    /// Settings from a property string named `exact`.
    public init(_ spec: SpecText) throws(MRFError) {
        guard spec.name == "exact" else { throw .invalidSpec("'\(spec.name)' is not exact") }
        var reader = SpecReader<MRFError>(spec)
        method = try reader.choice("method", default: method)
        maxStates = try reader.number("maxstates", default: maxStates, "a number ≥ 1") { $0 >= 1 }
        maxBytes = try reader.bytes("maxbytes")
        order = try reader.choice("order", default: order)
        try reader.finish()
    }

    /// The junction tree these settings run.
    public var junctionTree: JunctionTree { JunctionTree(maxBytes: maxBytes ?? JunctionTree.defaultMaxBytes, heuristic: order) }

    /// Runs the chosen method.
    public func solve(_ graph: CompiledGraph) throws(MRFError) -> ExactResult {
        switch method {
        case .eliminate: try junctionTree.solve(graph)
        case .enumerate: try Enumeration(maxStates: maxStates).solve(graph)
        }
    }

    /// The canonical spec text, e.g. `exact[method=enumerate]`; parses back to equal settings.
    public var description: String {
        let d = ExactSettings()
        return canonicalSpec("exact", [
            ("method", method.rawValue, method == d.method),
            ("maxstates", countText(maxStates), maxStates == d.maxStates),
            ("maxbytes", maxBytes.map(countText) ?? "", maxBytes == nil),
            ("order", order.rawValue, order == d.order),
        ])
    }
}
