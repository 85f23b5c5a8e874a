/// A problem building a figure, reported to the user as one line naming the file or run and the fix.
public struct FigureError: Error, Equatable, CustomStringConvertible {
    /// The message: what went wrong, where, and what to do about it.
    public let description: String

    /// Creates an error with a one-line message.
    public init(_ description: String) {
        self.description = description
    }
}
