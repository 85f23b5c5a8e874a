import Simplex

/// How the coupling J_ij of each edge is drawn from the strength J: all J (attractive, a
/// ferromagnet), uniform on [−J, J] (mixed signs, frustrated cycles), or ±J with probability ½ each
/// (a spin glass).
public enum CouplingKind: String, CaseIterable, Sendable {
    case attractive, mixed, spinglass

    func draw(_ strength: Double, _ random: RandomSource) -> Double {
        switch self {
        case .attractive: strength
        case .mixed: random.uniform(-strength, strength)
        case .spinglass: random.uniform() < 0.5 ? -strength : strength
        }
    }
}

/// The pairwise energy family of a generated model.
public enum PotentialKind: String, CaseIterable, Sendable {
    /// Two labels read as spins s ∈ {−1, +1}: θ_ij = −J_ij s_a s_b, θ_i = −h_i s_a, h_i ~ U(−h, h).
    case ising
    /// k labels: θ_ij = J_ij·[a ≠ b], θ_i(a) ~ U(0, h) (random unaries).
    case potts
}

/// The edge sets of generated models, over variables 0 ..< n.
public enum Topology {
    /// A rows×cols 4-connected grid, variable r·cols + c.
    public static func grid(rows: Int, columns: Int) -> [(Int, Int)] {
        var edges: [(Int, Int)] = []
        for r in 0 ..< rows {
            for c in 0 ..< columns {
                if c + 1 < columns { edges.append((r * columns + c, r * columns + c + 1)) }
                if r + 1 < rows { edges.append((r * columns + c, (r + 1) * columns + c)) }
            }
        }
        return edges
    }

    /// The path 0 – 1 – … – n−1.
    public static func chain(_ n: Int) -> [(Int, Int)] { (1 ..< max(n, 1)).map { ($0 - 1, $0) } }

    /// A random recursive tree: each i ≥ 1 joins a uniformly chosen earlier vertex.
    public static func tree(_ n: Int, random: RandomSource) -> [(Int, Int)] {
        (1 ..< max(n, 1)).map { (random.integer(below: $0), $0) }
    }

    /// Every pair.
    public static func complete(_ n: Int) -> [(Int, Int)] {
        (0 ..< n).flatMap { i in (i + 1 ..< n).map { (i, $0) } }
    }

    /// Each pair independently with probability p (Erdős–Rényi G(n, p)).
    public static func erdosRenyi(_ n: Int, p: Double, random: RandomSource) -> [(Int, Int)] {
        complete(n).filter { _ in random.uniform() < p }
    }
}

/// Seeded random models. Draws happen in a fixed order (unaries by variable, then couplings by
/// edge), so a seed always gives the same model.
public enum ModelGenerator {
    /// A pairwise model on `edges` over n variables with `labels` labels (2 for Ising), coupling
    /// strength J drawn per edge by `couplings`, and unary strength h.
    /// - Precondition: n ≥ 1, labels ≥ 2 (exactly 2 for Ising), edges within 0 ..< n.
    public static func pairwise(variables n: Int, edges: [(Int, Int)], potential: PotentialKind, labels: Int,
                                coupling: Double, field: Double, couplings: CouplingKind,
                                random: RandomSource) -> FactorGraph {
        precondition(n >= 1 && labels >= 2 && (potential == .potts || labels == 2), "invalid generator sizes")
        let spin = [-1.0, 1.0]
        var factors: [Factor] = (0 ..< n).map { i in
            let energies: [Double] = switch potential {
            case .ising: { let h = random.uniform(-field, field); return spin.map { -h * $0 } }()
            case .potts: (0 ..< labels).map { _ in random.uniform(0, field) }
            }
            return Factor(unchecked: [i], cardinalities: [labels], energies: energies)
        }
        for (i, j) in edges {
            let strength = couplings.draw(coupling, random)
            let energies: [Double] = switch potential {
            case .ising: spin.flatMap { a in spin.map { b in -strength * a * b } }
            case .potts: (0 ..< labels).flatMap { a in (0 ..< labels).map { b in a == b ? 0 : strength } }
            }
            factors.append(Factor(unchecked: [i, j], cardinalities: [labels, labels], energies: energies))
        }
        return FactorGraph(unchecked: [Int](repeating: labels, count: n), factors: factors)
    }

    /// A random quadratic model E(w) = wᵀAw + bᵀw over `levels`: A symmetric with entries
    /// N(0, coupling²/m) off the diagonal (and on it), b with entries N(0, field²).
    public static func quadratic(size m: Int, levels: QuantizationLevels = .binary, coupling: Double, field: Double,
                                 random: RandomSource) -> QuadraticModel {
        var a = RowMatrix<Double>(rows: m, columns: m)
        let sigma = coupling / Double(m).squareRoot()
        for i in 0 ..< m {
            for j in i ..< m {
                let value = random.gaussian(sigma: sigma)
                a[i, j] = value
                a[j, i] = value
            }
        }
        let b = (0 ..< m).map { _ in random.gaussian(sigma: field) }
        return QuadraticModel(couplings: a, field: b, levels: levels)
    }
}
