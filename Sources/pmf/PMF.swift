import ArgumentParser
import Foundation
import Support

@main
struct PMF: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pmf",
        abstract: "PMFKit: mean-field, proximal mean-field and projected gradient descent for quantization.",
        version: "PMFKit \(toolkitVersion)",
        subcommands: [Project.self, Mrf.self, Train.self, Eval.self, Layers.self, CheckStatements.self, FiguresCommand.self,
                      SweepCommand.self, Bench.self]
    )

    /// Runs the command; any failure prints one line on standard error and exits non-zero
    /// (help and version requests print in full and exit 0).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            let firstLine = message.split(separator: "\n").first.map(String.init) ?? "\(error)"
            let line = firstLine.hasPrefix("Error: ") ? String(firstLine.dropFirst(7)) : firstLine
            FileHandle.standardError.write(Data("pmf: error: \(line)\n".utf8))
            Foundation.exit(code.rawValue)
        }
    }
}

/// An error a command reports to the user as one line.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Prints an `Encodable` value as one line of JSON on standard output.
func printJSON(_ value: some Encodable) throws {
    print(try jsonText(value))
}
