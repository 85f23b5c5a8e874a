import Foundation

/// What a finished subprocess left: its exit status and what it wrote on standard error.
public struct CommandOutcome: Equatable, Sendable {
    /// The exit status, 0 on success.
    public var status: Int32
    /// Standard error, as text.
    public var standardError: String

    /// Creates an outcome.
    public init(status: Int32, standardError: String) {
        self.status = status
        self.standardError = standardError
    }

    /// The last non-empty line of standard error (the `pmf: error: …` line of a failed command).
    public var lastErrorLine: String {
        standardError.split(whereSeparator: \.isNewline).last.map(String.init) ?? "exit status \(status)"
    }
}

/// Runs `pmf` subcommands; the figures call `pmf train` and `pmf check` through this, so tests can
/// substitute a fake and the CLI the real binary.
public protocol CommandRunner: Sendable {
    /// Runs `pmf ARGUMENTS…` and waits; standard output is discarded.
    func run(_ arguments: [String]) throws -> CommandOutcome
}

/// The `pmf` executable itself, run as a subprocess.
public struct PMFExecutable: CommandRunner {
    /// The absolute path of the executable.
    public var executable: URL

    /// Uses the executable at `executable`.
    public init(executable: URL) {
        self.executable = executable
    }

    /// The running program, from `argv[0]`: a path with a `/` is resolved against the current
    /// folder; a bare name is looked up on `PATH`.
    /// - Throws: `FigureError` when no executable file is found.
    public static func current(arguments: [String] = CommandLine.arguments,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PMFExecutable {
        let first = arguments.first ?? "pmf"
        let candidates: [URL] = first.contains("/")
            ? [URL(fileURLWithPath: first, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true))]
            : (environment["PATH"] ?? "").split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(first) }
        guard let found = candidates.map(\.standardizedFileURL).first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw FigureError("cannot find the pmf executable from '\(first)'; run it by its path, e.g. .build/release/pmf figures")
        }
        return PMFExecutable(executable: found)
    }

    public func run(_ arguments: [String]) throws -> CommandOutcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw FigureError("cannot run \(executable.path): \(error); rebuild with swift build -c release --product pmf")
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return CommandOutcome(status: process.terminationStatus, standardError: message)
    }
}
