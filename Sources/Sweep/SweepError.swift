/// A problem with a sweep file, a sweep folder or a run, reported to the user as one line that
/// names the file (and line, when there is one) and what to do about it.
public struct SweepError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The one-line message.
    public let description: String

    /// Creates an error with a one-line message.
    public init(_ description: String) { self.description = description }

    /// An error at `file:line:column` (line and column 1-based, omitted when unknown).
    public init(file: String, line: Int?, column: Int? = nil, _ problem: String) {
        var place = file
        if let line { place += ":\(line)" }
        if let line, let column, line > 0 { place += ":\(column)" }
        description = "\(place): \(problem)"
    }
}
