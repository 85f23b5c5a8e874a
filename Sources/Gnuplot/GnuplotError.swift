/// Errors of the gnuplot exporter: input it refuses to write and scripts gnuplot
/// rejected (a file it cannot write is Support's `WriteError`). Each message names the offending item and what to change.
public enum GnuplotError: Error, Equatable, CustomStringConvertible {
    /// A data file that cannot be written as specified (bad name, ragged row, duplicate dataset, …).
    case invalidDataFile(String)
    /// A data file whose text cannot be read back (unreadable, damaged, or lacking a column asked for).
    case unreadableDataFile(String)
    /// A figure that cannot be turned into a script (unknown column or dataset, bad range, …).
    case invalidFigure(String)
    /// A table whose rows or alignments do not match its header.
    case invalidTable(String)
    /// gnuplot exited with `status` or printed `message` on standard error while running `script`.
    case renderingFailed(script: String, status: Int32, message: String)

    /// The message shown to the user: the problem and, where there is one, the fix (for a failed
    /// render, gnuplot's own text, which may span lines).
    public var description: String {
        switch self {
        case .invalidDataFile(let message), .unreadableDataFile(let message), .invalidFigure(let message), .invalidTable(let message):
            message
        case .renderingFailed(let script, let status, let message):
            "gnuplot \(script) exited with status \(status): \(message)"
        }
    }
}
