import MRF
import Simplex

/// Lemma 2.1: softmax(βũ) = argmax_{z∈Δ} ⟨ũ, z⟩ + H(z)/β.
///
/// Each trial compares softmax(βũ) with the independent KKT solver's maximiser and checks that no
/// random simplex point scores higher; the deviation is the larger of the two discrepancies.
public func lemma21() -> Check {
    Check(name: "lemma-2.1", statement: "softmax(βũ) maximises ⟨ũ,z⟩ + H(z)/β over the simplex", tolerance: 1e-9) { trials, random in
        var deviations: [Double] = []
        for trial in 0 ..< trials {
            let d = [2, 3, 4, 8][trial % 4], beta = logUniform(-2, 4, random)
            let tilde = (0 ..< d).map { _ in random.uniform(-2, 2) }
            let s = Projection.softmax(beta: beta)(tilde)
            let solver = entropicMinimizer(cost: tilde.map { -$0 }, beta: beta)
            let score = { (z: [Double]) in dot(tilde, z) + entropy(z) / beta }
            let best = score(s)
            let beaten = (0 ..< 50).map { _ in max(0, score(interiorPoint(d, random)) - best) }.max()!
            deviations.append(max(maxAbs(s, solver), beaten))
        }
        return (deviations, [])
    }
}

/// Which objective the PGD point is compared against in `theorem31`.
public enum ProximalVariant: Sendable {
    /// The statement: η⟨g,u⟩ − ⟨uᵏ,u⟩ − H(u)/β.
    case faithful
    /// A deliberately wrong variant that drops the proximal term −⟨uᵏ,u⟩ from the PMF objective.
    case withoutProximalTerm
}

/// Theorem 3.1: softmax(β(uᵏ − ηg)) = argmin_{u∈Δ} η⟨g,u⟩ − ⟨uᵏ,u⟩ − H(u)/β, per row, with the
/// minimiser found by the KKT root-finder (`entropicMinimizer`), which never calls softmax.
/// g comes from random draws, from the expected energy of random MRFs, and from a network's
/// mini-batch (see `networkGradient`). Evidence: deviation against β.
public func theorem31(_ variant: ProximalVariant = .faithful) -> Check {
    Check(name: "theorem-3.1", statement: "softmax-PGD step = PMF step (argmin η⟨g,u⟩ − ⟨uᵏ,u⟩ − H(u)/β)", tolerance: 1e-9) { trials, random in
        var deviations: [Double] = [], rows: [String: [[Double]]] = [:]
        func compare(u: [Double], g: [Double], eta: Double, beta: Double, source: String) {
            let pgd = UpdateRule.proximalMeanField(eta: eta, beta: beta)(RowMatrix([u]), gradient: RowMatrix([g])).storage
            let proximal = variant == .faithful ? u : u.map { _ in 0 }
            let pmf = entropicMinimizer(cost: zip(g, proximal).map { eta * $0 - $1 }, beta: beta)
            let deviation = maxAbs(pgd, pmf)
            deviations.append(deviation)
            rows[source, default: []].append([beta, deviation])
        }
        for trial in 0 ..< trials {
            let d = [2, 3, 4, 8][trial % 4]
            compare(u: interiorPoint(d, random), g: (0 ..< d).map { _ in random.uniform(-3, 3) },
                    eta: logUniform(-2, 1, random), beta: logUniform(-2, 4, random), source: "random")
        }
        for trial in 0 ..< max(1, trials / 10) {
            let labels = 2 + trial % 3
            let graph = ModelGenerator.pairwise(variables: 9, edges: Topology.grid(rows: 3, columns: 3), potential: .potts,
                                                labels: labels, coupling: 1, field: 1, couplings: .mixed, random: random)
            let objective = ExpectedEnergy(CompiledGraph(graph))
            let u = (0 ..< 9).flatMap { _ in interiorPoint(labels, random) }
            let g = objective.gradient(at: u)
            let (eta, beta) = (logUniform(-2, 1, random), logUniform(-2, 4, random))
            for i in 0 ..< 9 {
                compare(u: Array(u[i * labels ..< (i + 1) * labels]), g: Array(g[i * labels ..< (i + 1) * labels]),
                        eta: eta, beta: beta, source: "mrf")
            }
        }
        let network = networkGradient(random: random)
        for (row, (u, g)) in network.enumerated() where row % 97 == 0 {
            compare(u: u, g: g, eta: 0.1, beta: [1e-2, 1, 1e2, 1e4][row % 4], source: "network")
        }
        let evidence = CheckEvidence(name: "theorem-3.1", columns: ["beta", "deviation"],
                                datasets: ["random", "mrf", "network"].compactMap { key in rows[key].map { (key, $0) } })
        return (deviations, [evidence])
    }
}

/// The PMF update without the proximal term at η = β = 1 is parallel mean-field: on random MRFs,
/// `UpdateRule.meanField` (softmax(−g)) equals the independent minimiser of ⟨g,u⟩ − H(u), and equals
/// `UpdateRule.proximalMeanField(eta: 1, beta: 1)` applied to u = 0.
public func meanFieldAsPMF() -> Check {
    Check(name: "mean-field-as-pmf", statement: "parallel mean-field = PMF step without the proximal term at η = β = 1",
          tolerance: 1e-12) { trials, random in
        var deviations: [Double] = []
        for trial in 0 ..< trials {
            let labels = 2 + trial % 3
            let graph = ModelGenerator.pairwise(variables: 12, edges: Topology.grid(rows: 3, columns: 4), potential: .potts,
                                                labels: labels, coupling: 2, field: 1, couplings: .mixed, random: random)
            let objective = ExpectedEnergy(CompiledGraph(graph))
            let u = (0 ..< 12).flatMap { _ in interiorPoint(labels, random) }
            let g = RowMatrix(rows: 12, columns: labels, storage: objective.gradient(at: u))
            let zero = RowMatrix<Double>(rows: 12, columns: labels)
            let meanField = UpdateRule.meanField(zero, gradient: g)
            let pmf = UpdateRule.proximalMeanField(eta: 1, beta: 1)(zero, gradient: g)
            for i in 0 ..< 12 {
                let solver = entropicMinimizer(cost: g.row(i), beta: 1)
                deviations.append(max(maxAbs(meanField.row(i), solver), maxAbs(meanField.row(i), pmf.row(i))))
            }
        }
        return (deviations, [])
    }
}

/// PMF with step η and β = 1/η, iterated to its fixed point u = softmax(u/η − g(u)), approaches
/// mean-field's fixed point u = softmax(−g(u)) as η grows (the proximal weight 1/η vanishes).
/// The deviation is that of the largest η, 1e4; the evidence shows the O(1/η) decay.
public func pmfApproachesMeanField() -> Check {
    Check(name: "pmf-to-mean-field", statement: "PMF with large η and β = 1/η reaches mean-field's fixed point",
          tolerance: 1e-3) { trials, random in
        var deviations: [Double] = [], rows: [[Double]] = []
        for _ in 0 ..< max(1, trials / 20) {
            let graph = ModelGenerator.pairwise(variables: 16, edges: Topology.grid(rows: 4, columns: 4), potential: .potts,
                                                labels: 3, coupling: 0.3, field: 1, couplings: .mixed, random: random)
            let objective = ExpectedEnergy(CompiledGraph(graph))
            let start = RowMatrix(rows: 16, columns: 3, storage: (0 ..< 16).flatMap { _ in interiorPoint(3, random) })
            let meanField = fixedPoint(start, objective) { u, g in
                let next = UpdateRule.meanField(u, gradient: g)
                return RowMatrix(rows: u.rows, columns: u.columns, storage: zip(u.storage, next.storage).map { 0.5 * $0 + 0.5 * $1 })
            }
            for eta in [1.0, 10, 100, 1e3, 1e4] {
                let pmf = fixedPoint(start, objective) { u, g in UpdateRule.proximalMeanField(eta: eta, beta: 1 / eta)(u, gradient: g) }
                let deviation = maxAbs(pmf.storage, meanField.storage)
                rows.append([eta, deviation])
                if eta == 1e4 { deviations.append(deviation) }
            }
        }
        return (deviations, [CheckEvidence(name: "pmf-to-mean-field", columns: ["eta", "deviation"], datasets: [("potts", rows)])])
    }
}

/// Iterates u ← step(u, ∇E(u)) until the largest change is below 1e-13 (at most 20 000 steps).
func fixedPoint(_ start: RowMatrix<Double>, _ objective: ExpectedEnergy,
                _ step: (RowMatrix<Double>, RowMatrix<Double>) -> RowMatrix<Double>) -> RowMatrix<Double> {
    var u = start
    for _ in 0 ..< 20_000 {
        let next = step(u, RowMatrix(rows: u.rows, columns: u.columns, storage: objective.gradient(at: u.storage)))
        let change = maxAbs(next.storage, u.storage)
        u = next
        if change < 1e-13 { break }
    }
    return u
}
