import Simplex
import Testing

@Suite struct RandomSourceTests {
    @Test func sameSeedSameStream() {
        let a = RandomSource(seed: 42), b = RandomSource(seed: 42), c = RandomSource(seed: 43)
        let first = (0 ..< 100).map { _ in a.uniform() }
        #expect(first == (0 ..< 100).map { _ in b.uniform() })
        #expect(first != (0 ..< 100).map { _ in c.uniform() })
        #expect(a.permutation(50) == b.permutation(50))
        #expect((0 ..< 10).map { _ in a.gaussian() } == (0 ..< 10).map { _ in b.gaussian() })
    }

    /// GSL's mt19937 with seed 4357 (its default) starts with 4293858116 (GSL's own test value).
    @Test func streamIsGSLsMersenneTwister() {
        let random = RandomSource(seed: 4357)
        #expect(random.next() >> 32 == 4_293_858_116)
    }

    @Test func stateRoundTrips() {
        let a = RandomSource(seed: 1)
        _ = (0 ..< 37).map { _ in a.uniform() }
        let saved = a.state
        let expected = (0 ..< 20).map { _ in a.uniform() }
        let b = RandomSource(seed: 999)
        #expect(b.restore(state: saved))
        #expect((0 ..< 20).map { _ in b.uniform() } == expected)
        #expect(!b.restore(state: [1, 2, 3]))
    }

    @Test func permutationIsAPermutationAndDistributionsHaveTheRightMoments() {
        let random = RandomSource(seed: 3)
        #expect(random.permutation(1000).sorted() == Array(0 ..< 1000))
        let n = 200_000
        let g = (0 ..< n).map { _ in random.gaussian(sigma: 2) }
        let mean = g.reduce(0, +) / Double(n)
        let variance = g.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)
        // Standard errors: mean 2/√n ≈ 0.0045, variance 4·√(2/n) ≈ 0.013; allow five of each.
        #expect(abs(mean) < 0.023 && abs(variance - 4) < 0.065)
        let counts = (0 ..< 60_000).reduce(into: [0, 0, 0]) { c, _ in c[random.integer(below: 3)] += 1 }
        #expect(counts.allSatisfy { abs($0 - 20_000) < 600 })
    }
}
