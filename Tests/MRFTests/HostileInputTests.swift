import Foundation
@testable import MRF
import Testing

/// Model files whose numbers would overflow or size absurd allocations (issue #17): a `.malformedFile`
/// error naming the file, the line and the cardinalities, never a trap.
@Suite struct HostileInputTests {
    func message(_ body: () throws(MRFError) -> FactorGraph) -> String {
        do {
            _ = try body()
            return "parsed"
        } catch {
            guard case .malformedFile = error else { return "wrong error \(error)" }
            return error.description
        }
    }

    /// Four variables of cardinality 2²⁰ in one scope: the table size 2⁸⁰ overflowed `Int` in
    /// `cards.reduce(1, *)` (a trap).
    @Test func uaiTableSizeOverflowIsNamed() {
        let text = "MARKOV\n4\n1048576 1048576 1048576 1048576\n1\n4 0 1 2 3\n\n1\n1\n"
        let m = message { () throws(MRFError) in try UAIFormat.parse(text, file: "big.uai") }
        #expect(m.hasPrefix("big.uai:7: expected a table of factor 0") && m.contains("1048576") && m.contains("variable 3"), "\(m)")
    }

    /// A table of 2⁴⁰ entries that the file claims but does not hold: it used to reserve 8 TiB before
    /// reading a potential; now it fails where the potentials run out.
    @Test func uaiTableLargerThanTheFileFailsAtTheEnd() {
        let text = "MARKOV\n2\n1048576 1048576\n1\n2 0 1\n\n1099511627776\n1 2 3\n"
        let m = message { () throws(MRFError) in try UAIFormat.parse(text, file: "lie.uai") }
        #expect(m.hasPrefix("lie.uai:8: expected a potential") && m.contains("the end of the file"), "\(m)")
    }

    /// The fuzzer's find in the pre-fix `.fg` reader (FuzzModel with fuzz/dict/Model.dict, about
    /// 95 000 inputs): cardinalities 2²⁰·5·2²⁰ asked for a 44 TB table. Vertical tabs are whitespace.
    @Test func fuzzerFoundFGTableAllocation() {
        let found = "\u{0B}\u{0B}1\n\n\n3 2\n7\n01\u{0B}1048576\u{0B} \u{0B}5 \u{0B}\u{0B}1048576\u{0B} \u{0B}5"
        let m = message { () throws(MRFError) in try FGFormat.parse(found, file: "found.fg") }
        #expect(m.hasPrefix("found.fg:6: expected a table of factor 0 of at most \(FGFormat.maximumTableSize) entries") && m.contains("[1048576, 5, 1048576]"), "\(m)")
    }

    /// `.fg` tables are allocated densely however few entries are listed: 2⁴⁰ entries are refused
    /// by the limit, 2⁸⁰ by the overflow check (both trapped or exhausted memory before).
    @Test func fgTablesAreCapped() {
        let big = "1\n\n2\n0 1\n1048576 1048576\n0\n"
        let m = message { () throws(MRFError) in try FGFormat.parse(big, file: "big.fg") }
        #expect(m.hasPrefix("big.fg:6: expected a table of factor 0 of at most \(FGFormat.maximumTableSize) entries") && m.contains("variable 1"), "\(m)")
        let huge = "1\n\n4\n0 1 2 3\n1048576 1048576 1048576 1048576\n0\n"
        #expect(message { () throws(MRFError) in try FGFormat.parse(huge, file: "huge.fg") }.contains("huge.fg:6: expected a table"))
        // At the limit itself (4096² = 2²⁴) the size is accepted, one more entry's worth is not.
        let reader = TokenReader(text: "", file: "t.fg")
        #expect((try? reader.tableSize([4096, 4096], of: "t", limit: FGFormat.maximumTableSize)) == 1 << 24)
        #expect((try? reader.tableSize([4096, 4097], of: "t", limit: FGFormat.maximumTableSize)) == nil)
        #expect(message { () throws(MRFError) in try FGFormat.parse("1\n\n2\n0 1\n2 3\n0\n", file: "ok.fg") } == "parsed")
    }

    /// A 24 KB UAI file of 3000 variables of cardinality 2²⁰ parsed, and `pmf mrf solve` then died
    /// asking for 25 GB (the solvers' arrays of Σ dᵢ labels); `ModelFile.read` now refuses it by name.
    @Test func modelsWithTooManyLabelsAreRefusedOnReading() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mrf-hostile-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/wide.uai"
        let text = "MARKOV\n3000\n" + [String](repeating: "1048576", count: 3000).joined(separator: " ") + "\n0\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try ModelFile.read(path)
            Issue.record("a model of 3000 × 2²⁰ labels was read")
        } catch {
            #expect(error == .tooLarge(error.description) && error.description.hasPrefix(path) && error.description.contains("3000 variables")
                    && error.description.contains("variable 64, cardinality 1048576"), "\(error)")
        }
        // 64 such variables are exactly the limit.
        let graph = try UAIFormat.parse("MARKOV\n64\n" + [String](repeating: "1048576", count: 64).joined(separator: " ") + "\n0\n", file: "ok.uai")
        #expect(throws: Never.self) { try ModelFile.checkSize(graph, file: "ok.uai") }
    }
}
