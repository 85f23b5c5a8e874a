/// Errors for input a user can supply to the MRF module: model files, models, algorithm specs.
///
/// Every message is one line that names where the problem is and what would fix it; the `pmf`
/// tool prints it as is.
public enum MRFError: Error, Equatable, CustomStringConvertible {
    /// A model file that does not follow its format: `file:line: expected …, found …`.
    case malformedFile(file: String, line: Int, expected: String, found: String)
    /// A model that is inconsistent (a scope naming an unknown variable, a table of the wrong size, …).
    case invalidModel(String)
    /// A request beyond a configured size limit (enumeration or elimination too large).
    case tooLarge(String)
    /// An algorithm property string that does not parse or names an unknown setting.
    case invalidSpec(String)
    /// A file that cannot be read or written.
    case io(String)

    /// The one-line message: file and line when known, what was expected, and the fix.
    public var description: String {
        switch self {
        case let .malformedFile(file, line, expected, found):
            "\(file):\(line): expected \(expected), found \(found)"
        case .invalidModel(let message), .tooLarge(let message), .invalidSpec(let message), .io(let message):
            message
        }
    }
}
