/// The text written for a value that is not a finite number (NaN, +∞, −∞). Every generated
/// script declares it with `set datafile missing "NaN"`, so gnuplot skips such points (a line
/// joins the neighbouring valid points) instead of plotting or warning about them.
public let missingValueText = "NaN"

/// The text of `value` in a data file or script: the shortest decimal that parses back to the
/// same `Double` (Swift's `description`, e.g. `0.1`, `1e-05`, `-0.0`), or `missingValueText`
/// when `value` is not finite.
public func gnuplotNumber(_ value: Double) -> String {
    value.isFinite ? value.description : missingValueText
}
