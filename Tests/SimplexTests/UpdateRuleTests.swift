import RealModule
import Simplex
import Testing

/// Each shared update rule against its formula written out directly.
@Suite struct UpdateRuleTests {
    let random = RandomSource(seed: 9)

    func randomInstance(rows: Int = 5, columns: Int = 3) -> (RowMatrix<Double>, RowMatrix<Double>) {
        let u = RowMatrix(rows: rows, columns: columns,
                          storage: (0 ..< rows).flatMap { _ in randomSimplexPoint(columns, using: random) })
        let g = RowMatrix(rows: rows, columns: columns,
                          storage: (0 ..< rows * columns).map { _ in random.uniform(-2, 2) })
        return (u, g)
    }

    func expectRows(_ next: RowMatrix<Double>, _ u: RowMatrix<Double>, _ g: RowMatrix<Double>,
                    _ formula: ([Double], [Double]) -> [Double]) {
        for r in 0 ..< u.rows {
            #expect(maxAbsDifference(next.row(r), formula(u.row(r), g.row(r))) < 1e-14)
        }
    }

    @Test func meanFieldIsSoftmaxOfMinusGradient() {
        let (u, g) = randomInstance()
        expectRows(UpdateRule.meanField(u, gradient: g), u, g) { _, g in
            let e = g.map { Double.exp(-$0) }
            return e.map { $0 / e.reduce(0, +) }
        }
    }

    @Test func proximalMeanFieldIsSoftmaxOfTheGradientStep() {
        let (u, g) = randomInstance()
        let (eta, beta) = (0.3, 2.5)
        expectRows(UpdateRule.proximalMeanField(eta: eta, beta: beta)(u, gradient: g), u, g) { u, g in
            let e = zip(u, g).map { Double.exp(beta * ($0 - eta * $1)) }
            return e.map { $0 / e.reduce(0, +) }
        }
    }

    @Test func sparsemaxPGDIsTheEuclideanProjectionOfTheStep() {
        let (u, g) = randomInstance()
        let next = UpdateRule.sparsemaxPGD(eta: 0.7, beta: 1)(u, gradient: g)
        // Independent check by optimality: z = max(y − τ, 0) with Σ z = 1 ⇔ z is the projection of y.
        for r in 0 ..< u.rows {
            let y = zip(u.row(r), g.row(r)).map { $0 - 0.7 * $1 }
            let z = next.row(r)
            let support = z.indices.filter { z[$0] > 0 }
            let tau = y[support[0]] - z[support[0]]
            for i in z.indices {
                #expect(abs(z[i] - max(y[i] - tau, 0)) < 1e-14)
            }
            #expect(abs(z.reduce(0, +) - 1) < 1e-14)
        }
    }

    @Test func proximalICMIsTheVertexOfTheStep() {
        let (u, g) = randomInstance()
        expectRows(UpdateRule.proximalICM(eta: 0.4)(u, gradient: g), u, g) { u, g in
            let y = zip(u, g).map { $0 - 0.4 * $1 }
            let best = y.indices.max { y[$0] < y[$1] }!
            return y.indices.map { $0 == best ? 1 : 0 }
        }
    }

    @Test func exponentiatedGradientMultipliesAndNormalises() {
        let (u, g) = randomInstance()
        let (eta, beta) = (0.5, 3.0)
        expectRows(UpdateRule.exponentiatedGradient(eta: eta, beta: beta)(u, gradient: g), u, g) { u, g in
            let e = zip(u, g).map { $0 * Double.exp(-beta * eta * $1) }
            return e.map { $0 / e.reduce(0, +) }
        }
    }

    @Test func exponentiatedGradientKeepsZerosAndSurvivesHugeSteps() {
        let u = RowMatrix<Double>([[0, 0.5, 0.5]]), g = RowMatrix<Double>([[-1e6, 1e6, -1e6]])
        let next = UpdateRule.exponentiatedGradient(eta: 1, beta: 1e3)(u, gradient: g)
        #expect(next.storage == [0, 0, 1])
    }

    /// Without the proximal term, η = β = 1 (u ← softmax(−g)) is mean-field: PMF's point with u
    /// removed from the argument equals the mean-field rule.
    @Test func proximalMeanFieldWithZeroStartIsMeanField() {
        let (_, g) = randomInstance()
        let zero = RowMatrix<Double>(rows: g.rows, columns: g.columns)
        let pmf = UpdateRule.proximalMeanField(eta: 1, beta: 1)(zero, gradient: g)
        #expect(maxAbsDifference(pmf.storage, UpdateRule.meanField(zero, gradient: g).storage) < 1e-15)
    }

    /// Each `UpdateRuleKind` builds the rule of its name (whose projection the formula tests above
    /// pin), and the rule depends on β exactly when `usesBeta` says so.
    @Test func eachKindBuildsTheRuleOfItsName() {
        for kind in UpdateRuleKind.allCases {
            let rule: UpdateRule<Double> = kind(eta: 0.4, beta: 3)
            #expect(rule.kind == kind)
            #expect(kind.usesBeta == (kind(eta: 0.4, beta: 6) != rule), "\(kind)")
        }
    }

    @Test func floatAndDoubleAgree() {
        let (u, g) = randomInstance()
        let double = UpdateRule.proximalMeanField(eta: 0.2, beta: 4)(u, gradient: g)
        let single = UpdateRule<Float>.proximalMeanField(eta: 0.2, beta: 4)(
            RowMatrix(rows: u.rows, columns: u.columns, storage: u.storage.map(Float.init)),
            gradient: RowMatrix(rows: g.rows, columns: g.columns, storage: g.storage.map(Float.init)))
        #expect(maxAbsDifference(double.storage, single.storage.map(Double.init)) < 1e-6)
    }
}
