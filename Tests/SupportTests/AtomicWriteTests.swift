import Foundation
import Support
import Testing

/// Files are replaced whole or not at all, and failures are one-line errors naming the path.
@Suite struct AtomicWriteTests {
    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pmfkit-atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func replacesTheFileAndLeavesNoTemporaryFiles() throws {
        let dir = try folder(), file = dir.appendingPathComponent("a.txt")
        try writeAtomically("first", to: file)
        try writeAtomically("second", to: file)
        #expect(try String(contentsOf: file, encoding: .utf8) == "second")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["a.txt"])
    }

    @Test func aFailedWriteNamesThePathAndKeepsWhatWasThere() throws {
        let dir = try folder()
        let missing = dir.appendingPathComponent("no/such/folder/a.txt")
        #expect(throws: WriteError.self) { try writeAtomically("x", to: missing) }
        do { try writeAtomically("x", to: missing) } catch {
            #expect(error.description.hasPrefix("cannot write \(missing.path): ") && !error.description.contains("\n"))
        }
        // A folder in the way: the rename fails, the folder and its content stay, no temporary file is left.
        let blocked = dir.appendingPathComponent("blocked")
        try FileManager.default.createDirectory(at: blocked, withIntermediateDirectories: true)
        try "kept".write(to: blocked.appendingPathComponent("inside.txt"), atomically: false, encoding: .utf8)
        #expect(throws: WriteError.self) { try writeAtomically("x", to: blocked) }
        #expect(try String(contentsOf: blocked.appendingPathComponent("inside.txt"), encoding: .utf8) == "kept")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["blocked"])
    }
}
