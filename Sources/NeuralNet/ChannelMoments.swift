/// Per-channel count, mean and sum of squared deviations M₂ = Σ(x − mean)² of a set of rows, in
/// `Double`, built up from parts.
///
/// Two parts (n_a, μ_a, M_a) and (n_b, μ_b, M_b) combine exactly as n = n_a + n_b,
/// μ = μ_a + δ·n_b/n and M₂ = M_a + M_b + δ²·n_a·n_b/n with δ = μ_b − μ_a (Chan, Golub and LeVeque's
/// pairwise update), so each part's M₂ can be summed around its own mean while its rows are in
/// cache, without the cancellation of Σx² − n·μ².
struct ChannelMoments {
    /// Rows seen, n.
    private(set) var count: Double = 0
    /// Per-channel mean μ.
    private(set) var mean: [Double]
    /// Per-channel Σ(x − μ)².
    private(set) var squares: [Double]

    /// No rows yet, over `channels` channels.
    init(channels: Int) {
        mean = Array(repeating: 0, count: channels)
        squares = Array(repeating: 0, count: channels)
    }

    /// Forgets every part.
    mutating func reset() {
        count = 0
        for j in mean.indices { (mean[j], squares[j]) = (0, 0) }
    }

    /// Adds a part of `rows` rows with per-channel mean `partMean` and squared deviations `partSquares`.
    mutating func add(rows: Int, mean partMean: (Int) -> Double, squares partSquares: (Int) -> Double) {
        guard rows > 0 else { return }
        let (n, m) = (count, Double(rows)), total = count + Double(rows)
        for j in mean.indices {
            let delta = partMean(j) - mean[j]
            mean[j] += delta * m / total
            squares[j] += partSquares(j) + delta * delta * n * m / total
        }
        count = total
    }

    /// Adds another set's moments.
    mutating func add(_ other: ChannelMoments) {
        add(rows: Int(other.count), mean: { other.mean[$0] }, squares: { other.squares[$0] })
    }
}
