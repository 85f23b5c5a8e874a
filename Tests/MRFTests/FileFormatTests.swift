import Foundation
@testable import MRF
import Simplex
import Testing

/// UAI and libDAI .fg: round trips, table orders, omitted entries, malformed files.
@Suite struct FileFormatTests {
    let model = randomModel(variables: 6, edges: 7, triples: 2, zeros: true, random: RandomSource(seed: 31))

    @Test func uaiRoundTrip() throws {
        #expect(sameModel(model, try UAIFormat.parse(UAIFormat.text(of: model), file: "m.uai")))
    }

    @Test func fgRoundTrip() throws {
        #expect(sameModel(model, try FGFormat.parse(FGFormat.text(of: model), file: "m.fg")))
    }

    @Test func crossFormatRoundTripThroughFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mrf-tests-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try ModelFile.write(model, to: directory + "/a.uai")
        try ModelFile.write(try ModelFile.read(directory + "/a.uai"), to: directory + "/b.fg")
        try ModelFile.write(try ModelFile.read(directory + "/b.fg"), to: directory + "/c.uai")
        #expect(sameModel(model, try ModelFile.read(directory + "/c.uai")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["a.uai", "b.fg", "c.uai"])
    }

    /// In .fg the first variable changes fastest, omitted entries are zero potentials, scopes may be
    /// unsorted; in UAI the last variable changes fastest. Both files below describe ψ(x0, x1) with
    /// ψ(0,0)=1, ψ(1,0)=2, ψ(0,1)=3, ψ(1,1)=0 over a binary x0 and a ternary x1 (ψ(·,2)=5,6).
    @Test func tableOrdersFollowEachFormat() throws {
        let fg = "1\n\n2\n1 0\n3 2\n5\n0 1\n1 3\n2 5\n3 2\n5 6\n"
        let uai = "MARKOV\n2\n2 3\n1\n2 0 1\n6\n1 3 5\n2 0 6\n"
        let a = try FGFormat.parse(fg, file: "t.fg"), b = try UAIFormat.parse(uai, file: "t.uai")
        for x0 in 0 ..< 2 {
            for x1 in 0 ..< 3 { #expect(a.energy(of: [x0, x1]) == b.energy(of: [x0, x1])) }
        }
        #expect(b.energy(of: [1, 1]) == .infinity)
        #expect(abs(b.energy(of: [1, 0]) + Double.log(2)) < 1e-15)
    }

    @Test(arguments: [
        ("BAYESIAN\n1\n2\n0\n", 1),
        ("BAYES\n2\n2 2\n1\n0\n", 5),
        ("BAYES\n1\n2\n1\n1 0\n2\n0.5 0.6\n", 6),
        ("MARKOV\n2\n2 x\n0\n", 3),
        ("MARKOV\n2\n2 2\n1\n2 0 2\n", 5),
        ("MARKOV\n2\n2 2\n1\n2 0 0\n", 5),
        ("MARKOV\n2\n2 2\n1\n2 0 1\n\n4\n1 2\n3\n", 9),
        ("MARKOV\n2\n2 2\n1\n2 0 1\n\n4\n1 2 -3 4\n", 8),
        ("MARKOV\n1\n2\n1\n1 0\n2\n1 1 1\n", 7),
    ])
    func malformedUAINamesFileAndLine(text: String, line: Int) {
        expectMalformed(file: "bad.uai", line: line) { () throws(MRFError) in try UAIFormat.parse(text, file: "bad.uai") }
    }

    @Test(arguments: [
        ("x\n", 1),
        ("1\n\n2\n0 1\n2 2\n1\n7 1\n", 7),
        ("2\n\n1\n0\n2\n0\n\n1\n0\n3\n0\n", 10),
        ("1\n\n2\n0 0\n2 2\n0\n", 4),
        ("1\n\n1\n0\n2\n2\n0 1\n", 7),
        ("1\n\n1\n0\n2\n1\n0 nan\n", 7),
        ("# a comment\n1\n\n1\n0\n2\n1\n0 0x\n", 8),
        ("1\n\n1\n99999999999999999999999\n", 4),
        ("1\r\n\r\n1\r\n0\r\n2\r\n1\r\n0 0.5\r\n1\n", 8),
    ])
    func malformedFGNamesFileAndLine(text: String, line: Int) {
        expectMalformed(file: "bad.fg", line: line) { () throws(MRFError) in try FGFormat.parse(text, file: "bad.fg") }
    }

    /// Comment lines (first non-blank character `#`), tabs, CRLF line ends and a `#` inside a line
    /// are read as the formats say.
    @Test func commentsTabsAndCRLFAreWhitespace() throws {
        let text = "# written by hand\r\n1\r\n\r\n1\r\n  # indented comment\r\n0\r\n2\r\n2\r\n0\t0.25\r\n1 1e0\r\n"
        let graph = try FGFormat.parse(text, file: "ok.fg")
        #expect(graph.factors.count == 1 && abs(graph.factors[0].energy(at: [0]) + Double.log(0.25)) < 1e-15)
        #expect(graph.factors[0].energy(at: [1]) == 0)
    }

    func expectMalformed(file: String, line: Int, _ body: () throws(MRFError) -> FactorGraph) {
        do {
            _ = try body()
            Issue.record("a malformed file parsed")
        } catch {
            guard case .malformedFile(let f, let l, _, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(f == file && l == line, "\(error)")
            #expect(error.description.hasPrefix("\(file):\(line): expected "))
        }
    }

    @Test func unreadableAndUnknownFilesAreErrors() {
        #expect(throws: MRFError.self) { try ModelFile.read("/nonexistent/model.uai") }
        #expect(throws: MRFError.self) { try ModelFile.read("model.txt") }
        #expect(throws: MRFError.self) { try ModelFile.write(model, to: "/nonexistent/dir/model.fg") }
    }
}
