import MRF
import Simplex

/// For a quadratic loss L(w) = wᵀAw + bᵀw the expected loss over the factorised distribution u and
/// the plug-in relaxation L(u·q) differ exactly by Σⱼ Aⱼⱼ Var_u(wⱼ) (docs/paper-notes.md §1). E_u[L] is
/// computed by enumerating every labelling (and, as a cross-check of the model conversion, by the
/// MRF module's expected energy of the same model as a factor graph).
public func relaxationGap() -> Check {
    Check(name: "relaxation-variance", statement: "E_u[L(w)] − L(u·q) = Σⱼ Aⱼⱼ Var_u(wⱼ) for quadratic L", tolerance: 1e-10) { trials, random in
        var deviations: [Double] = []
        for trial in 0 ..< trials {
            let levels = [QuantizationLevels.binary, .ternary, (try? QuantizationLevels.kLevel(4))!][trial % 3]
            let (m, d) = (2 + trial % 4, levels.count)
            let model = ModelGenerator.quadratic(size: m, levels: levels, coupling: 2, field: 1, random: random)
            let u = (0 ..< m).map { _ in interiorPoint(d, random) }
            var expected = 0.0
            var labels = [Int](repeating: 0, count: m)
            repeat {
                let probability = labels.enumerated().reduce(1.0) { $0 * u[$1.offset][$1.element] }
                expected += probability * model.energy(labels.map { levels.values[$0] })
            } while next(&labels, base: d)
            let means = u.map { dot($0, levels.values) }
            let variances = u.enumerated().map { j, row in dot(row, levels.values.map { $0 * $0 }) - means[j] * means[j] }
            let predicted = model.energy(means) + (0 ..< m).reduce(0) { $0 + model.couplings[$1, $1] * variances[$1] }
            let viaGraph = ExpectedEnergy(CompiledGraph(model.factorGraph)).value(at: u.flatMap { $0 })
            let scale = max(1, abs(expected))
            deviations.append(max(abs(expected - predicted), abs(expected - viaGraph)) / scale)
        }
        return (deviations, [])
    }
}

/// Advances a little-endian counter in base `base`; false after the last value.
func next(_ digits: inout [Int], base: Int) -> Bool {
    for i in digits.indices {
        digits[i] += 1
        if digits[i] < base { return true }
        digits[i] = 0
    }
    return false
}

/// Proposition 2.1: u is a stationary point of L̃(u) = L(u·q) on Δᵐ iff w = u·q is one of L on
/// [q_min, q_max]ᵐ, on random indefinite quadratics L(w) = wᵀAw + bᵀw.
///
/// - w → u (binary levels): projected gradient descent in w converges to a local minimum; its lift
///   uⱼ = ((1 − wⱼ)/2, (1 + wⱼ)/2) must have simplex residual ‖u − sparsemax(u − ∇L̃)‖∞ ≈ 0.
/// - u → w (binary and ternary levels): sparsemax-PGD in u converges to a local minimum; w = u·q
///   must have box residual ‖w − clamp(w − ∇L)‖∞ ≈ 0.
/// The deviation is the residual in the other space; runs stop once their own residual is below
/// 1e-13 (checked every 100 steps, at most 50 000 steps).
public func proposition21() -> Check {
    Check(name: "proposition-2.1", statement: "local minima of L̃ on Δᵐ ↔ local minima of L on [q_min, q_max]ᵐ", tolerance: 1e-9) { trials, random in
        var deviations: [Double] = []
        for trial in 0 ..< trials {
            let m = 3 + trial % 3
            let levels = trial % 2 == 0 ? QuantizationLevels.binary : .ternary
            let (q, d) = (levels.values, levels.count)
            let model = ModelGenerator.quadratic(size: m, levels: levels, coupling: 3, field: 1, random: random)
            let gradient = { (w: [Double]) in
                (0 ..< m).map { i in model.field[i] + (0 ..< m).reduce(0) { $0 + 2 * model.couplings[i, $1] * w[$1] } }
            }
            let lipschitz = 2 * (0 ..< m).map { i in (0 ..< m).reduce(0) { $0 + abs(model.couplings[i, $1]) } }.max()! + 1e-9
            let clamp = { (w: [Double]) in w.map { min(max($0, -1), 1) } }
            let boxResidual = { (w: [Double]) in maxAbs(w, clamp(zip(w, gradient(w)).map { $0 - $1 })) }
            let uGradient = { (u: RowMatrix<Double>) -> RowMatrix<Double> in
                let g = gradient((0 ..< m).map { dot(u.row($0), q) })
                return RowMatrix(rows: m, columns: d, storage: g.flatMap { gj in q.map { gj * $0 } })
            }
            let simplexResidual = { (u: RowMatrix<Double>) in
                maxAbs(u.storage, UpdateRule.sparsemaxPGD(eta: 1, beta: 1)(u, gradient: uGradient(u)).storage)
            }
            func converge<T>(_ start: T, residual: (T) -> Double, step: (T) -> T) -> T {
                var x = start
                for _ in 0 ..< 500 where residual(x) > 1e-13 { for _ in 0 ..< 100 { x = step(x) } }
                return x
            }
            if d == 2 {
                let w = converge((0 ..< m).map { _ in random.uniform(-1, 1) }, residual: boxResidual) { w in
                    clamp(zip(w, gradient(w)).map { $0 - $1 / lipschitz })
                }
                deviations.append(simplexResidual(RowMatrix(rows: m, columns: 2, storage: w.flatMap { [(1 - $0) / 2, (1 + $0) / 2] })))
            }
            let rule = UpdateRule<Double>.sparsemaxPGD(eta: 1 / (4 * lipschitz), beta: 1)
            let start = RowMatrix(rows: m, columns: d, storage: (0 ..< m).flatMap { _ in interiorPoint(d, random) })
            let u = converge(start, residual: simplexResidual) { rule($0, gradient: uGradient($0)) }
            deviations.append(boxResidual((0 ..< m).map { dot(u.row($0), q) }))
        }
        return (deviations, [])
    }
}
