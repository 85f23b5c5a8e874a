import Foundation
import Testing

/// `pmf mrf evaluate` as a user runs it: a folder generated and answered with `pmf mrf solve`.
@Suite struct MrfEvaluateCommandTests {
    @Test func aGeneratedBenchmarkIsEvaluatedAndABrokenAnswerIsOneLine() throws {
        let pmf = try pmfExecutable()
        let bench = temporaryFolder("evaluate-bench"), answers = temporaryFolder("evaluate-answers")
        let out = temporaryFolder("evaluate-out"), refused = temporaryFolder("evaluate-refused")
        defer { for folder in [bench, answers, out] { try? FileManager.default.removeItem(at: folder) } }
        try FileManager.default.createDirectory(at: bench, withIntermediateDirectories: true)
        for (name, seed) in [("a.uai", "1"), ("b.uai", "2")] {
            let model = bench.appendingPathComponent(name).path
            #expect(try runProcess(pmf, ["mrf", "generate", "ising", "--rows", "3", "--cols", "3", "--seed", seed, "-o", model]).status == 0)
            #expect(try runProcess(pmf, ["mrf", "solve", "--model", model, "--algo", "exact", "--uai-output", answers.path]).status == 0)
            for task in ["PR", "MAR", "MPE"] {
                try FileManager.default.copyItem(at: answers.appendingPathComponent("exact/\(name).\(task)"),
                                                 to: bench.appendingPathComponent("\(name).\(task)"))
            }
        }
        let run = try runProcess(pmf, ["mrf", "evaluate", bench.path, "--algo", "exact", "--algo", "mf", "--out", out.path, "--json"])
        #expect(run.status == 0, "\(run.error)")
        struct Output: Decodable {
            struct Row: Decodable { let instance, algo: String; let hellinger, mapGap: Double? }
            let results: [Row]
        }
        let results = try JSONDecoder().decode(Output.self, from: Data(run.output.utf8)).results
        #expect(results.map { "\($0.instance) \($0.algo)" } == ["a.uai exact", "a.uai mf", "b.uai exact", "b.uai mf"])
        #expect(results[0].hellinger == 0 && results[0].mapGap == 0)
        for file in ["evaluate.md", "evaluate.json", "evaluate.dat", "evaluate.png.gp"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file) missing")
        }

        let mar = bench.appendingPathComponent("a.uai.MAR")
        try "MAR\n9 2 0.5 oops\n".write(to: mar, atomically: true, encoding: .utf8)
        let bad = try runProcess(pmf, ["mrf", "evaluate", bench.path, "--out", refused.path])
        #expect(bad.status != 0)
        #expect(bad.error == "pmf: error: \(mar.path):2: expected P(x0 = 1), a number ≥ 0, found 'oops'\n")
        #expect(!FileManager.default.fileExists(atPath: refused.path), "a refused run wrote outputs")
    }
}
