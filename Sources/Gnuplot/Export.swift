import Foundation
import Support

/// Writing a figure's files and rendering them in one call.
extension Figure {
    /// Writes every data file of the figure and one script per terminal (`NAME.EXT.gp`) into
    /// `directory`, all atomically, then renders each script with `program` (or reports how to
    /// render it when `program` is `nil`). Outcomes are in the order of `terminals`.
    /// - Throws: `GnuplotError` for an invalid figure or data file, a failed write or a failed render.
    public func export(to directory: URL, terminals: [Terminal],
                       program: GnuplotProgram? = .onPath()) throws -> [RenderOutcome] {
        let scripts = try terminals.map { (terminal: $0, text: try script(for: $0)) }
        for data in try dataFiles() {
            try data.write(in: directory)
        }
        return try scripts.map { script in
            let url = directory.appendingPathComponent(scriptFileName(for: script.terminal))
            try writeAtomically(script.text, to: url)
            return try render(scriptAt: url, with: program)
        }
    }
}
