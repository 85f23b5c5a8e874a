import MRF

/// libDAI 0.3's speed on the 256×256 4-label Potts grid of `MRFBenchmark`, one thread, measured by
/// hand (docs/mrf.md): about 0.10–0.12 M variable updates/s for mean-field and 0.22–0.26 M/s for BP.
/// The anchor of `pmf bench mrf`'s "× libDAI" columns, at the middle of each range.
public enum LibDAIAnchor {
    /// Mean-field sweeps, M variable updates/s.
    public static let meanField = 0.11
    /// BP iterations, M variable updates/s.
    public static let beliefPropagation = 0.24

    /// The anchor rate for `algorithm`: BP's for belief propagation, mean-field's for every other.
    public static func rate(for algorithm: Algorithm) -> Double {
        if case .beliefPropagation = algorithm { beliefPropagation } else { meanField }
    }
}
