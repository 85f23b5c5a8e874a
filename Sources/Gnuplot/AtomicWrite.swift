import Foundation

/// Writes `text` as UTF-8 to `url` atomically; see `writeAtomically(_:to:)` for bytes.
public func writeAtomically(_ text: String, to url: URL) throws {
    try writeAtomically(Data(text.utf8), to: url)
}

/// Writes `data` to `url` so that readers see either the old file or the complete new one, never a
/// partial write: the bytes go to a temporary file in the same folder (same file system), which is
/// then renamed over `url`. On failure the temporary file is removed and the old file is intact.
public func writeAtomically(_ data: Data, to url: URL) throws {
    let folder = url.deletingLastPathComponent()
    let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
    do {
        try data.write(to: temporary)
    } catch {
        throw GnuplotError.writeFailed(path: url.path, message: "\(error)")
    }
    guard rename(temporary.path, url.path) == 0 else {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temporary)
        throw GnuplotError.writeFailed(path: url.path, message: reason)
    }
}
