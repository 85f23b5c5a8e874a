import Foundation
@testable import MRF
import RealModule
import Simplex
import Testing

/// UAI `BAYES` networks against the same networks written as `MARKOV`, and the UAI result files.
@Suite struct BayesAndOutputTests {
    /// A → B → C with P(A) = (0.3, 0.7), P(B | A) and P(C | B); the MARKOV file holds the same
    /// distribution as two factors, P(A)P(B|A) merged and P(C|B) with its scope reversed.
    static let bayes = """
        BAYES
        3
        2 2 3
        3
        1 0
        2 0 1
        2 1 2

        2
        0.3 0.7

        4
        0.9 0.1
        0.2 0.8

        6
        0.5 0.25 0.25
        0.1 0.1 0.8
        """
    static let markov = """
        MARKOV
        3
        2 2 3
        2
        2 0 1
        2 2 1

        4
        0.27 0.03 0.14 0.56

        6
        0.5 0.1
        0.25 0.1
        0.25 0.8
        """

    @Test func bayesFileMatchesTheMarkovFile() throws {
        let (b, network) = try UAIFormat.parseNetwork(Self.bayes, file: "abc.uai")
        #expect(network == .bayes)
        let m = try UAIFormat.parse(Self.markov, file: "abc-markov.uai")
        for evidence in [Evidence.none, try Evidence.parseList("2=2"), try Evidence.parseList("0=1,2=0")] {
            let (x, y) = (try ConditionedGraph(b, evidence: evidence), try ConditionedGraph(m, evidence: evidence))
            let p = x.expand(try ExactSettings().solve(CompiledGraph(x.reduced)))
            let q = y.expand(try ExactSettings().solve(CompiledGraph(y.reduced)))
            #expect(abs(p.logZ - q.logZ) < 1e-12 && maxDifference(p.marginals, q.marginals) < 1e-12)
            #expect(abs(p.logZ - restrictedByEnumeration(b, evidence).logZ) < 1e-12)
        }
        // Worked by hand: Z = 1; P(B = 0) = 0.41, P(C = 0) = 0.41·0.5 + 0.59·0.1; P(C = 2) = 0.41·0.25 + 0.59·0.8.
        let exact = try ExactSettings().solve(CompiledGraph(b))
        #expect(abs(exact.logZ) < 1e-12)
        #expect(abs(exact.marginals[0][0] - 0.3) < 1e-12 && abs(exact.marginals[1][0] - 0.41) < 1e-12)
        #expect(abs(exact.marginals[2][0] - 0.264) < 1e-12)
        let given = try ConditionedGraph(b, evidence: try Evidence.parseList("2=2"))
        #expect(abs(try ExactSettings().solve(CompiledGraph(given.reduced)).logZ - Double.log(0.5745)) < 1e-12)
    }

    @Test(arguments: 0 ..< 6)
    func randomNetworkRoundTripsAsBayesAndMarkov(seed: Int) throws {
        let network = randomNetwork(seed: UInt(700 + seed))
        let text = try UAIFormat.bayesText(of: network)
        #expect(text.hasPrefix("BAYES\n"))
        let (b, kind) = try UAIFormat.parseNetwork(text, file: "bn.uai")
        #expect(kind == .bayes && sameModel(network, b))
        let m = try UAIFormat.parse(UAIFormat.text(of: network), file: "mn.uai")
        let (p, q) = (try ExactSettings().solve(CompiledGraph(b)), try Enumeration().solve(CompiledGraph(m)))
        #expect(abs(p.logZ) < 1e-12 && abs(q.logZ) < 1e-12)
        #expect(maxDifference(p.marginals, q.marginals) < 1e-12)
    }

    @Test func unnormalisedTablesAreErrorsNamingTheFactor() throws {
        let broken = Self.bayes.replacingOccurrences(of: "0.2 0.8", with: "0.2 0.7")
        do {
            _ = try UAIFormat.parse(broken, file: "bad.uai")
            Issue.record("an unnormalised CPT was read")
        } catch {
            #expect(error.description.hasPrefix("bad.uai:12: expected factor 1 to be a CPT P(x1 | x0) whose rows over the child sum to 1, found row 1 summing to 0.9;"),
                    "\(error)")
        }
        // Within the tolerance (six printed digits) is accepted.
        #expect(throws: Never.self) { try UAIFormat.parse(Self.bayes.replacingOccurrences(of: "0.2 0.8", with: "0.2 0.800001"), file: "ok.uai") }
        // The writer refuses a model that is not a network of CPTs, naming the factor.
        let markov = try UAIFormat.parse(Self.markov, file: "m.uai")
        do {
            _ = try UAIFormat.bayesText(of: markov)
            Issue.record("a MARKOV model was written as BAYES")
        } catch {
            #expect(error.description.hasPrefix("factor 0 is not a CPT P(x1 | x0)"), "\(error)")
        }
    }

    @Test func resultFilesRoundTrip() throws {
        let graph = randomModel(variables: 6, edges: 8, zeros: true, random: RandomSource(seed: 41))
        let result = SolverResult(exact: try ExactSettings().solve(CompiledGraph(graph)), algorithm: "exact")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("uai-output-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let paths = try UAIOutput.write(result, modelName: "m.uai", to: directory + "/exact")
        #expect(paths.map { ($0 as NSString).lastPathComponent } == ["m.uai.PR", "m.uai.MAR", "m.uai.MPE"])
        func read(_ task: String) -> String { String(decoding: FileManager.default.contents(atPath: "\(directory)/exact/m.uai.\(task)") ?? Data(), as: UTF8.self) }
        #expect(try UAIOutput.parsePR(read("PR"), file: "m.uai.PR") == result.logZ / Double.log(10))
        #expect(try UAIOutput.parseMAR(read("MAR"), file: "m.uai.MAR") == result.marginals)
        #expect(try UAIOutput.parseMPE(read("MPE"), file: "m.uai.MPE") == result.labels)
        #expect(read("MPE") == "MPE\n6 " + result.labels.map(String.init).joined(separator: " ") + "\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/exact").sorted() == ["m.uai.MAR", "m.uai.MPE", "m.uai.PR"])
        // The competition's own example, and the last of several solutions.
        #expect(try UAIOutput.parseMAR("MAR\n3 2 0.1 0.9 2 0.3 0.7 3 0.2 0.2 0.6\n", file: "x") == [[0.1, 0.9], [0.3, 0.7], [0.2, 0.2, 0.6]])
        #expect(try UAIOutput.parsePR("PR\n-3.5\n-BEGIN-\n-0.2008\n", file: "x") == -0.2008)
        #expect(throws: MRFError.self) { try UAIOutput.parseMPE("MAR\n1 0\n", file: "x") }
        #expect(throws: MRFError.self) { try UAIOutput.parseMPE("MPE\n2 0\n", file: "x") }
    }
}
