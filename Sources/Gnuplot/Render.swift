import Foundation

/// What became of a script handed to `render(scriptAt:with:)`.
public enum RenderOutcome: Equatable, Sendable {
    /// gnuplot ran the script without error or warning.
    case rendered(script: URL)
    /// No gnuplot was available; the script is in place and `instructions` says how to render it.
    case notRendered(script: URL, instructions: String)
}

/// Renders the script at `script` with `program`, or, when `program` is `nil` (gnuplot not
/// installed), leaves it for later and says how: `cd FOLDER && gnuplot FILE.gp`.
/// - Throws: `GnuplotError.renderingFailed` when gnuplot fails or warns.
public func render(scriptAt script: URL, with program: GnuplotProgram? = .onPath()) throws -> RenderOutcome {
    guard let program else {
        let instructions = "gnuplot not found on PATH; install it (Debian: apt-get install gnuplot-nox) and run: cd \(script.deletingLastPathComponent().path) && gnuplot \(script.lastPathComponent)"
        return .notRendered(script: script, instructions: instructions)
    }
    try program.run(scriptAt: script)
    return .rendered(script: script)
}
