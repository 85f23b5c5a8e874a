/// One axis of a panel: its label, linear or logarithmic scale and optional range ends
/// (an end left `nil` is chosen by gnuplot from the data).
public struct Axis: Equatable, Sendable {
    /// Linear or base-10 logarithmic scale.
    public enum Scale: Equatable, Sendable {
        /// Equal distances for equal differences.
        case linear
        /// Equal distances for equal ratios; every plotted value and range end must be positive.
        case logarithmic
    }

    /// The axis label, or `nil` for none.
    public var label: String?
    /// The scale.
    public var scale: Scale
    /// The lower end of the range, or `nil` for automatic.
    public var lower: Double?
    /// The upper end of the range, or `nil` for automatic.
    public var upper: Double?

    /// Creates an axis; the default is an unlabelled, linear, automatically ranged axis.
    public init(label: String? = nil, scale: Scale = .linear, lower: Double? = nil, upper: Double? = nil) {
        self.label = label
        self.scale = scale
        self.lower = lower
        self.upper = upper
    }
}
