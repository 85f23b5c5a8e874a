/// A text placed at a point of a panel, in data coordinates (e.g. a simplex vertex's name).
public struct Label: Equatable, Sendable {
    /// Which side of the point the text extends to.
    public enum Placement: Equatable, Sendable {
        /// Text starts just right of the point.
        case right
        /// Text is centred just above the point.
        case above
        /// Text ends just left of the point.
        case left
        /// Text is centred just below the point.
        case below
    }

    /// The text, drawn literally.
    public var text: String
    /// The point's abscissa, finite.
    public var x: Double
    /// The point's ordinate, finite.
    public var y: Double
    /// Where the text goes relative to the point.
    public var placement: Placement

    /// Creates a label; the default placement is to the right of the point.
    public init(_ text: String, x: Double, y: Double, placement: Placement = .right) {
        self.text = text
        self.x = x
        self.y = y
        self.placement = placement
    }
}
