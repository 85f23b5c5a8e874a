import CGSL

/// One seeded random stream per experiment: a GSL `mt19937` generator, passed explicitly to whatever
/// needs randomness (never a global, never re-seeded per call). The same seed gives the same stream,
/// so the same seed and inputs give bitwise identical results.
///
/// It is also a `RandomNumberGenerator`, so the standard library's `shuffled(using:)` and
/// `random(in:using:)` draw from it.
public final class RandomSource: RandomNumberGenerator {
    private let generator: UnsafeMutablePointer<gsl_rng>
    /// The seed the stream started from.
    public let seed: UInt

    /// A fresh Mersenne Twister seeded with `seed` (GSL treats seed 0 as its default seed 4357).
    public init(seed: UInt) {
        guard let generator = gsl_rng_alloc(cgsl_mt19937()) else { fatalError("GSL could not allocate a generator") }
        gsl_rng_set(generator, seed)
        self.generator = generator
        self.seed = seed
    }

    deinit { gsl_rng_free(generator) }

    /// 64 random bits from two 32-bit Mersenne Twister outputs.
    public func next() -> UInt64 {
        (UInt64(gsl_rng_get(generator)) << 32) | UInt64(gsl_rng_get(generator))
    }

    /// Uniform on [0, 1).
    public func uniform() -> Double { gsl_rng_uniform(generator) }

    /// Uniform on [a, b).
    public func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * uniform() }

    /// Uniform integer in 0 ..< n, without modulo bias. - Precondition: 1 ≤ n ≤ 2³².
    public func integer(below n: Int) -> Int {
        precondition(n >= 1 && n <= 1 << 32, "integer(below:) needs 1 ≤ n ≤ 2^32, got \(n)")
        return Int(gsl_rng_uniform_int(generator, UInt(n)))
    }

    /// Normal with mean 0 and standard deviation `sigma`.
    public func gaussian(sigma: Double = 1) -> Double { gsl_ran_gaussian_ziggurat(generator, sigma) }

    /// Shuffles in place with the Fisher–Yates algorithm.
    public func shuffle<C: MutableCollection & RandomAccessCollection>(_ items: inout C) {
        var i = items.count
        while i > 1 {
            let j = integer(below: i)
            i -= 1
            items.swapAt(items.index(items.startIndex, offsetBy: i), items.index(items.startIndex, offsetBy: j))
        }
    }

    /// A uniformly random permutation of 0 ..< n.
    public func permutation(_ n: Int) -> [Int] {
        var order = Array(0 ..< n)
        shuffle(&order)
        return order
    }

    /// The generator's full internal state, for checkpoints.
    public var state: [UInt8] {
        let size = gsl_rng_size(generator)
        let bytes = UnsafeRawBufferPointer(start: gsl_rng_state(generator), count: size)
        return Array(bytes)
    }

    /// Restores a state previously read from `state` of a generator of the same kind.
    /// Returns false (and changes nothing) if the size does not match.
    @discardableResult
    public func restore(state bytes: [UInt8]) -> Bool {
        guard bytes.count == gsl_rng_size(generator) else { return false }
        bytes.withUnsafeBytes { gsl_rng_state(generator).copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        return true
    }
}
