/// Errors for input a user can supply to the simplex core (level sets, rows, settings).
public enum SimplexError: Error, Equatable, CustomStringConvertible {
    /// A level set that is not finite, sorted and distinct, or an unknown level-set name.
    case invalidLevels(String)
    /// A setting out of range (β ≤ 0, η < 0, …).
    case invalidSetting(String)

    /// The one-line message, naming the offending input and what was expected.
    public var description: String {
        switch self {
        case .invalidLevels(let message), .invalidSetting(let message): message
        }
    }
}
