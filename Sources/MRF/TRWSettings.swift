import Support

/// Settings of tree-reweighted belief propagation, as text `trw[rho=auto,trees=20,seed=0,damping=0.5,maxiter=1000,tol=1e-09]`.
///
/// - `rho`: the edge appearance probabilities ρ_e. `auto` draws `trees` random spanning trees
///   (forests, for a disconnected graph: Kruskal on a random edge order, edges not yet covered first,
///   more trees until every edge is in one) and sets ρ_e to the fraction containing e — a point of
///   the spanning-tree polytope, so the TRW free energy bounds log Z from above. A number sets the
///   same ρ for every edge; on an n×m grid (nm − 1)/|E| is valid, other values may not give a bound.
/// - `seed` of the random trees, `damping` α ∈ [0,1) (m ← (1−α)·new + α·old), `maxiter`, `tol` on the
///   largest message change.
public struct TRWSettings: Equatable, Sendable, CustomStringConvertible {
    /// nil for `auto`, else the one ρ of every edge, in (0, 1].
    public var rho: Double?
    /// `trees` for `rho=auto`.
    public var trees = 20
    /// `seed` for `rho=auto`.
    public var seed = 0
    /// `damping` α ∈ [0, 1).
    public var damping = 0.5
    /// `maxiter`.
    public var maxIterations = 1000
    /// `tol`.
    public var tolerance = 1e-9

    /// The defaults.
    public init() {}

    /// Settings from a property string named `trw`.
    public init(_ spec: SpecText) throws(MRFError) {
        guard spec.name == "trw" else { throw .invalidSpec("'\(spec.name)' is not trw") }
        var reader = SpecReader<MRFError>(spec)
        if spec.value("rho").map({ $0 == "auto" }) ?? true {
            _ = try reader.choice("rho", default: Auto.auto)
        } else {
            rho = try reader.number("rho", default: 1, "auto or a number in (0, 1]") { $0 > 0 && $0 <= 1 }
        }
        trees = try reader.integer("trees", default: trees, "an integer ≥ 1") { $0 >= 1 }
        seed = try reader.integer("seed", default: seed, "an integer ≥ 0") { $0 >= 0 }
        damping = try reader.number("damping", default: damping, "in [0, 1)") { $0 >= 0 && $0 < 1 }
        maxIterations = try reader.integer("maxiter", default: maxIterations, "an integer ≥ 0") { $0 >= 0 }
        tolerance = try reader.number("tol", default: tolerance, "a number ≥ 0") { $0 >= 0 }
        try reader.finish()
    }

    private enum Auto: String, CaseIterable { case auto }

    /// The canonical spec text; parses back to equal settings.
    public var description: String {
        let d = TRWSettings()
        return canonicalSpec("trw", [
            ("rho", rho.map { "\($0)" } ?? "auto", rho == nil), ("trees", "\(trees)", trees == d.trees),
            ("seed", "\(seed)", seed == d.seed), ("damping", "\(damping)", damping == d.damping),
            ("maxiter", "\(maxIterations)", maxIterations == d.maxIterations), ("tol", "\(tolerance)", tolerance == d.tolerance),
        ])
    }
}
