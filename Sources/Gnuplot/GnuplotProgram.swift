import Foundation

/// The `gnuplot` executable, and running a script with it.
public struct GnuplotProgram: Equatable, Sendable {
    /// The executable file.
    public var executable: URL

    /// Uses the executable at `executable`.
    public init(executable: URL) {
        self.executable = executable
    }

    /// The first executable file called `gnuplot` in the folders of `environment["PATH"]`, or `nil`.
    public static func onPath(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> GnuplotProgram? {
        let folders = (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return folders.lazy
            .map { URL(fileURLWithPath: $0).appendingPathComponent("gnuplot") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
            .map(GnuplotProgram.init(executable:))
    }

    /// Runs `gnuplot SCRIPT` in the script's folder (so relative data and output names resolve
    /// there) and waits for it. Success means exit status 0 *and* nothing on standard error:
    /// gnuplot reports warnings (e.g. a skipped dataset, an empty range) on standard error with
    /// status 0, and a figure that drew with warnings is treated as not drawn correctly.
    /// - Throws: `GnuplotError.renderingFailed` carrying gnuplot's message, or the launch error.
    public func run(scriptAt script: URL) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = [script.lastPathComponent]
        process.currentDirectoryURL = script.deletingLastPathComponent()
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let trimmed = message.trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, trimmed.isEmpty else {
            throw GnuplotError.renderingFailed(script: script.path, status: process.terminationStatus,
                                               message: trimmed.isEmpty ? "(no message)" : trimmed)
        }
    }
}
