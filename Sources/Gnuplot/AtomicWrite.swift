import Foundation

/// Writes `text` as UTF-8 to `url` so that readers see either the old file or the complete new
/// one, never a partial write: the bytes go to a temporary file in the same folder (same file
/// system), which is then renamed over `url`. On failure the temporary file is removed.
func writeAtomically(_ text: String, to url: URL) throws {
    let folder = url.deletingLastPathComponent()
    let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
    do {
        try Data(text.utf8).write(to: temporary)
    } catch {
        throw GnuplotError.writeFailed(path: url.path, message: "\(error)")
    }
    guard rename(temporary.path, url.path) == 0 else {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temporary)
        throw GnuplotError.writeFailed(path: url.path, message: reason)
    }
}
