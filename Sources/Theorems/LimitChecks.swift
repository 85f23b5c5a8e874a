import RealModule
import Simplex

/// Algorithm 1's chain rule: for w = softmax(βũ)·q and a smooth loss L(w), the gradient pulled back
/// through the projection, g_ũ = (∂u/∂ũ)ᵀ (∂L/∂w) q, equals central finite differences of L.
/// With `jacobian: .reference` (the reference code's two-softmax β(I − s′s′ᵀ)) or `.oneSoftmax`
/// (β(I − ssᵀ)) the check fails, as it should: neither matrix is the derivative.
public func algorithm1Gradient(jacobian: SoftmaxJacobian = .exact) -> Check {
    Check(name: "algorithm-1-gradient", statement: "g_ũ = (∂softmax(βũ)/∂ũ)ᵀ g_u is the gradient of L(softmax(βũ)q)",
          tolerance: 1e-6) { trials, random in
        var deviations: [Double] = []
        for trial in 0 ..< trials {
            let d = [2, 3, 4][trial % 3], m = 3
            let q = (try? QuantizationLevels.kLevel(d))!.values
            let beta = logUniform(-1, 1, random)
            let target = (0 ..< m).map { _ in random.uniform(-1, 1) }
            let loss = { (w: [Double]) in zip(w, target).reduce(0) { $0 + Double.pow($1.0 - $1.1, 2) + Double.sin(3 * $1.0) } }
            let lossGradient = { (w: [Double]) in zip(w, target).map { 2 * ($0 - $1) + 3 * Double.cos(3 * $0) } }
            let projection = Projection<Double>.softmax(beta: beta, jacobian: jacobian)
            let weights = { (tilde: [Double]) -> [Double] in
                let u = projection(RowMatrix(rows: m, columns: d, storage: tilde))
                return (0 ..< m).map { dot(u.row($0), q) }
            }
            let tilde = (0 ..< m * d).map { _ in random.uniform(-1, 1) }
            let gw = lossGradient(weights(tilde))
            let gu = RowMatrix(rows: m, columns: d, storage: (0 ..< m).flatMap { j in q.map { gw[j] * $0 } })
            let analytic = projection.pullback(at: RowMatrix(rows: m, columns: d, storage: tilde), upstream: gu).storage
            let numeric = tilde.indices.map { i -> Double in
                var plus = tilde, minus = tilde
                plus[i] += 1e-6
                minus[i] -= 1e-6
                return (loss(weights(plus)) - loss(weights(minus))) / 2e-6
            }
            deviations.append(maxAbs(analytic, numeric))
        }
        return (deviations, [])
    }
}

/// The β → ∞ limit: the mass softmax(βũ) puts off the hardmax vertex is exactly S/(1 + S) with
/// S = Σ_{λ≠λ*} exp(−β·gap_λ), gap_λ = ũ_λ* − ũ_λ (computed from the gaps, not from softmax), so
/// ‖softmax(βũ) − hardmax(ũ)‖₁ decays like 2·exp(−β·gap); and PMF's forward weight softmax(βũ)·q
/// approaches PICM's hardmax(ũ)·q (= BC's sign(w̃) for binary levels) within (q_max − q_min)·S/(1+S).
/// The deviation is the relative error of the off-vertex mass against the formula, plus any excess
/// of the weight gap over its bound.
public func softmaxLimit() -> Check {
    Check(name: "softmax-limit", statement: "‖softmax(βũ) − hardmax(ũ)‖ decays like exp(−β·gap); PMF weights → PICM/BC weights",
          tolerance: 1e-12) { trials, random in
        var deviations: [Double] = [], rows: [[Double]] = []
        let betas = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 1e4]
        for trial in 0 ..< trials {
            let d = [2, 3, 4, 8][trial % 4]
            let q = (try? QuantizationLevels.kLevel(d))!.values
            let tilde = (0 ..< d).map { _ in random.uniform(-1, 1) }
            let hard = Projection<Double>.hardmax(tilde)
            let top = tilde.max()!
            let gaps = tilde.indices.filter { hard[$0] == 0 }.map { top - tilde[$0] }
            for beta in betas {
                let s = Projection<Double>.softmax(beta: beta)(tilde)
                let offMass = zip(s, hard).filter { $0.1 == 0 }.reduce(0) { $0 + $1.0 }
                let sum = gaps.reduce(0) { $0 + Double.exp(-beta * $1) }
                let formula = sum / (1 + sum)
                let massError = formula > 0 ? abs(offMass - formula) / formula : offMass
                let weightGap = abs(dot(s, q) - dot(hard, q)), bound = (q.last! - q.first!) * formula
                deviations.append(max(massError, max(0, weightGap - bound * (1 + 1e-12))))
                if trial < 4 { rows.append([beta, zip(s, hard).reduce(0) { $0 + abs($1.0 - $1.1) }, 2 * Double(d - 1) * Double.exp(-beta * gaps.min()!), weightGap]) }
            }
        }
        return (deviations, [CheckEvidence(name: "softmax-limit", columns: ["beta", "deviation", "bound", "weight_gap"], datasets: [("rows", rows)])])
    }
}
