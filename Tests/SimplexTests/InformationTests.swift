import RealModule
import Simplex
import Testing

@Suite struct InformationTests {
    @Test func entropyOfVerticesIsZeroAndOfUniformIsLogD() {
        #expect(entropy([1.0, 0, 0]) == 0)
        for d in 1 ... 8 {
            let uniform = [Double](repeating: 1 / Double(d), count: d)
            #expect(abs(entropy(uniform) - Double.log(Double(d))) < 1e-14)
        }
    }

    @Test func crossEntropyIsEntropyPlusKL() {
        let random = RandomSource(seed: 5)
        for d in 2 ... 6 {
            let p = randomSimplexPoint(d, using: random), q = randomSimplexPoint(d, using: random)
            #expect(abs(crossEntropy(p, q) - entropy(p) - klDivergence(p, q)) < 1e-13)
            #expect(klDivergence(p, q) >= 0 && klDivergence(p, p) == 0)
        }
    }

    @Test func zeroProbabilitiesFollowTheConventions() {
        #expect(klDivergence([0.0, 1], [0.5, 0.5]) == Double.log(2))
        #expect(klDivergence([0.5, 0.5], [1.0, 0]) == .infinity)
        #expect(crossEntropy([0.0, 1], [0.0, 1]) == 0)
        #expect(entropy([0.0, 0.5, 0.5]) == Double.log(2))
    }

    /// KL(u‖softmax(−g)) = ⟨u, g⟩ − H(u) + log Σ exp(−g): the mean-field free-energy identity.
    @Test func klToAGibbsDistributionIsTheFreeEnergyGap() {
        let random = RandomSource(seed: 6)
        let g = randomRow(4, scale: 3, using: random), u = randomSimplexPoint(4, using: random)
        let gibbs = Projection<Double>.softmax(beta: 1)(g.map { -$0 })
        let logZ = Double.log(g.map { Double.exp(-$0) }.reduce(0, +))
        #expect(abs(klDivergence(u, gibbs) - (dot(u, g) - entropy(u) + logZ)) < 1e-13)
    }

    @Test func matrixEntropyAddsRows() {
        let u = RowMatrix<Double>([[0.5, 0.5], [1, 0], [0.25, 0.75]])
        #expect(abs(u.entropy - (entropy([0.5, 0.5]) + entropy([0.25, 0.75]))) < 1e-15)
    }
}
