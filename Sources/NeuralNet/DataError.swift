/// Problems with dataset files, each naming the file and what to do.
public struct DataError: Error, CustomStringConvertible, Equatable {
    /// The message, naming the file and the fix.
    public let description: String
    /// An error with the given message.
    public init(_ description: String) { self.description = description }
}
