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

    /// The reference code's two-softmax matrix and the one-softmax matrix against their formulas
    /// written out in Double with plain exponentials (s = softmax(βx), s′_λ = e^{βs_λ}/Σe^{βs_μ},
    /// out = β(v − p⟨p, v⟩) with p = s′ or s), on random rows of widths 2–5 at several β; neither is
    /// the derivative, and away from a vertex the two differ.
    @Test func softmaxReferenceMatricesMatchTheirFormulas() {
        let random = RandomSource(seed: 4)
        func identityMinusOuter(_ p: [Double], _ v: [Double], _ beta: Double) -> [Double] {
            let pv = dot(p, v)
            return v.indices.map { beta * (v[$0] - p[$0] * pv) }
        }
        func plainSoftmax(_ x: [Double], _ beta: Double) -> [Double] {
            let e = x.map { Double.exp(beta * $0) }, total = e.reduce(0, +)
            return e.map { $0 / total }
        }
        for trial in 0 ..< 120 {
            let d = 2 + trial % 4, beta = [0.3, 1, 2, 7][trial % 4]
            let x = randomRow(d, scale: 1, using: random), v = randomRow(d, using: random)
            let s = plainSoftmax(x, beta), second = plainSoftmax(s, beta)
            let (xm, vm) = (RowMatrix(rows: 1, columns: d, storage: x), RowMatrix(rows: 1, columns: d, storage: v))
            let reference = Projection<Double>.softmax(beta: beta, jacobian: .reference).pullback(at: xm, upstream: vm).storage
            let one = Projection<Double>.softmax(beta: beta, jacobian: .oneSoftmax).pullback(at: xm, upstream: vm).storage
            #expect(maxAbsDifference(reference, identityMinusOuter(second, v, beta)) < 1e-13 * beta, "reference \(x)")
            #expect(maxAbsDifference(one, identityMinusOuter(s, v, beta)) < 1e-13 * beta, "onesoftmax \(x)")
            let numeric = numericalGradient({ dot(v, plainSoftmax($0, beta)) }, at: x)
            #expect(maxAbsDifference(reference, numeric) > 1e-3 && maxAbsDifference(one, numeric) > 1e-3)
        }
        // Away from a vertex s′ ≠ s, so the two matrices give different products.
        let x = [0.3, -0.4, 0.9], v = [1.0, -2.0, 0.5]
        let products = [SoftmaxJacobian.reference, .oneSoftmax].map {
            Projection<Double>.softmax(beta: 2, jacobian: $0).pullback(at: RowMatrix([x]), upstream: RowMatrix([v])).storage
        }
        #expect(maxAbsDifference(products[0], products[1]) > 0.1)
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
