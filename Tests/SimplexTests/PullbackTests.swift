import RealModule
import Simplex
import Testing

/// Every vector–Jacobian product against central finite differences of ⟨v, P(x)⟩ in Double.
/// With h = 1e-6 the truncation error is O(h²‖P'''‖) ≈ 1e-12·β³ and the rounding error about
/// 1e-16/h = 1e-10, so 1e-6·max(1, β²) is a safe bound that a wrong Jacobian (errors of order β·s)
/// exceeds by orders of magnitude.
@Suite struct PullbackTests {
    func check(_ projection: Projection<Double>, scale: Double, tolerance: Double, seed: UInt) {
        let random = RandomSource(seed: seed)
        for trial in 0 ..< 200 {
            let d = 2 + trial % 4
            let x = randomRow(d, scale: scale, using: random)
            let v = randomRow(d, using: random)
            let analytic = projection.pullback(at: RowMatrix(rows: 1, columns: d, storage: x),
                                               upstream: RowMatrix(rows: 1, columns: d, storage: v)).storage
            let numeric = numericalGradient({ dot(v, projection($0)) }, at: x)
            #expect(maxAbsDifference(analytic, numeric) < tolerance, "\(projection) x=\(x)")
        }
    }

    @Test func softmaxExact() {
        for beta in [0.01, 1, 5] { check(.softmax(beta: beta), scale: 2, tolerance: 1e-6 * max(1, beta * beta), seed: 1) }
    }

    @Test func softmaxReferenceVariantIsNotTheDerivative() {
        let x = [0.3, -0.4, 0.9], v = [1.0, -2.0, 0.5]
        let numeric = numericalGradient({ dot(v, Projection<Double>.softmax(beta: 2)($0)) }, at: x)
        let reference = Projection<Double>.softmax(beta: 2, jacobian: .reference)
            .pullback(at: RowMatrix([x]), upstream: RowMatrix([v])).storage
        #expect(maxAbsDifference(reference, numeric) > 0.1)
        // β(I − ssᵀ)v written out directly.
        let s = Projection<Double>.softmax(beta: 2)(x)
        let direct = v.indices.map { 2 * (v[$0] - s[$0] * dot(s, v)) }
        #expect(maxAbsDifference(reference, direct) < 1e-15)
    }

    /// Sparsemax is piecewise linear; finite differences are exact away from the kinks, which random
    /// rows avoid with probability one (the step is far smaller than typical distances to a kink).
    @Test func sparsemaxOnItsSupport() {
        for beta in [0.5, 1, 4] { check(.sparsemax(beta: beta), scale: 1, tolerance: 1e-6, seed: 2) }
    }

    /// The straight-through rule is the derivative of u₋₁ = (clamp(ũ₋₁ − ũ₁, −1, 1) + 1)/2.
    @Test func hardmaxStraightThroughMatchesItsSurrogate() {
        let random = RandomSource(seed: 3)
        let surrogate: ([Double]) -> [Double] = { x in
            let first = (min(max(x[0] - x[1], -1), 1) + 1) / 2
            return [first, 1 - first]
        }
        var inside = 0, outside = 0
        for _ in 0 ..< 400 {
            let x = randomRow(2, scale: 1.5, using: random)
            let v = randomRow(2, using: random)
            guard abs(abs(x[0] - x[1]) - 1) > 1e-4 else { continue }
            abs(x[0] - x[1]) <= 1 ? (inside += 1) : (outside += 1)
            let analytic = Projection<Double>.hardmax.pullback(at: RowMatrix([x]), upstream: RowMatrix([v])).storage
            let numeric = numericalGradient({ dot(v, surrogate($0)) }, at: x)
            #expect(maxAbsDifference(analytic, numeric) < 1e-8)
        }
        #expect(inside > 50 && outside > 50)
    }
}
