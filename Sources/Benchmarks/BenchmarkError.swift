/// A benchmark that cannot run: a missing library or script, a failed child process, output that
/// does not parse. The message is one line naming what is missing or wrong and the fix.
public struct BenchmarkError: Error, CustomStringConvertible, Equatable {
    /// The message.
    public let description: String
    /// An error with the given message.
    public init(_ description: String) { self.description = description }
}
