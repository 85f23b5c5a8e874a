import Foundation

/// A file that could not be written: the path and the system's reason, as one line.
public struct WriteError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "cannot write \(path): \(reason)" }
}

/// Writes `text` as UTF-8 to `url` atomically; see `writeAtomically(_:to:)` for bytes.
public func writeAtomically(_ text: String, to url: URL) throws(WriteError) {
    try writeAtomically(Data(text.utf8), to: url)
}

/// Writes `data` to `url` so that readers see either the old file or the complete new one, never a
/// partial write: the bytes go to a temporary file in the same folder (same file system), which is
/// then renamed over `url`. On failure the temporary file is removed and the old file is intact.
/// The one way PMFKit writes every file it produces.
public func writeAtomically(_ data: Data, to url: URL) throws(WriteError) {
    let folder = url.deletingLastPathComponent()
    let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
    do {
        try data.write(to: temporary)
    } catch {
        throw WriteError(path: url.path, reason: "\((error as NSError).localizedDescription); check that the folder exists and is writable")
    }
    guard rename(temporary.path, url.path) == 0 else {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temporary)
        throw WriteError(path: url.path, reason: reason)
    }
}
