import Foundation

/// The process's peak resident memory (Linux's VmHWM) in bytes since it started or since the last
/// `resetPeakResidentMemory()`; nil where /proc/self/status does not say.
public func peakResidentMemory() -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 2, let kibibytes = Int(fields[1]) else { return nil }
        return kibibytes * 1024
    }
    return nil
}

/// Sets the process's peak resident memory to what it holds now (writes 5 to /proc/self/clear_refs),
/// so that `peakResidentMemory()` measures the work that follows; false where that is not possible.
@discardableResult
public func resetPeakResidentMemory() -> Bool {
    guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
    defer { try? handle.close() }
    return (try? handle.write(contentsOf: Data("5".utf8))) != nil
}
