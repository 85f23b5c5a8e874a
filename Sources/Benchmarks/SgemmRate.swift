import Support

/// One library's sgemm speed at one product shape: the best of repeated calls.
public struct SgemmRate: Encodable, Sendable {
    /// The product's sizes.
    public let shape: GemmShape
    /// The library's name.
    public let library: String
    /// 2·m·n·k / (fastest call's seconds) / 10⁹.
    public let gflops: Double
    /// The calls made.
    public let calls: Int

    /// Times C = A·B (row-major, `shape`) with `library`, calling it until about `seconds` have passed
    /// and at least twice, and keeps the fastest call. A and B hold fixed values in [−0.5, 0.5).
    public static func measure(_ library: SgemmLibrary, _ shape: GemmShape, seconds: Double) -> SgemmRate {
        let (m, n, k) = (shape.m, shape.n, shape.k)
        let a = (0 ..< m * k).map { Float(($0 * 7919) % 97) / 97 - 0.5 }
        let b = (0 ..< k * n).map { Float(($0 * 104729) % 89) / 89 - 0.5 }
        var c = [Float](repeating: 0, count: m * n)
        let clock = ContinuousClock()
        var best = Duration.seconds(1e9)
        var calls = 0
        let start = clock.now
        repeat {
            let began = clock.now
            library.multiply(m: m, n: n, k: k, a, b, into: &c)
            best = min(best, clock.now - began)
            calls += 1
        } while clock.now - start < .seconds(seconds) || calls < 2
        return SgemmRate(shape: shape, library: library.name, gflops: gflops(shape, seconds: best.inSeconds), calls: calls)
    }

    /// The rate of one product of `shape` done in `seconds`: 2·m·n·k / seconds / 10⁹.
    public static func gflops(_ shape: GemmShape, seconds: Double) -> Double { shape.flops / seconds / 1e9 }

    private enum CodingKeys: String, CodingKey { case m, n, k, library, gflops, calls }

    /// `{"m", "n", "k", "library", "gflops", "calls"}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(shape.m, forKey: .m)
        try container.encode(shape.n, forKey: .n)
        try container.encode(shape.k, forKey: .k)
        try container.encode(library, forKey: .library)
        try container.encode(gflops, forKey: .gflops)
        try container.encode(calls, forKey: .calls)
    }
}
