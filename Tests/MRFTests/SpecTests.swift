@testable import MRF
import Simplex
import Support
import Testing

/// Algorithm specs print and parse back; bad specs give clear errors.
@Suite struct SpecTests {
    @Test func everyDefaultRoundTrips() throws {
        for algorithm in Algorithm.all {
            #expect(try Algorithm(parsing: algorithm.description) == algorithm)
        }
        #expect(Algorithm.all.map(\.description).prefix(3) == ["exact", "mf", "pmf"])
    }

    @Test(arguments: ["pmf[eta=0.5,beta0=1,rho=1.05,every=10]", "mf[order=random,damping=0.3]", "bp[inference=max,schedule=parallel,tol=1e-06]",
                      "exact[method=enumerate,maxstates=1000]", "exact[maxbytes=1048576]", "exact[order=minweight,maxbytes=2048]", "trw[rho=0.5,damping=0.3]", "trw[trees=5,seed=2]", "picm[eta=0.25,order=parallel]", "sparsemax-pgd[beta0=2,maxiter=5]", "icm[init=uniform]"])
    func customSpecsRoundTrip(text: String) throws {
        let algorithm = try Algorithm(parsing: text)
        #expect(try Algorithm(parsing: algorithm.description) == algorithm)
        #expect(try SpecText(parsing: algorithm.description, what: "algorithm").description == algorithm.description)
    }

    @Test func settingsAreRead() throws {
        guard case .relaxation(let s) = try Algorithm(parsing: "pmf[eta=0.5,beta0=2,rho=1.5,every=3]") else { Issue.record("not pmf"); return }
        #expect(s.eta == 0.5 && s.beta == BetaSchedule(initial: 2, rho: 1.5, every: 3))
        #expect(s.beta(atIteration: 1) == 2 && s.beta(atIteration: 4) == 3 && s.beta(atIteration: 7) == 4.5)
        #expect(s.description == "pmf[eta=0.5,beta0=2,rho=1.5,every=3]")
    }

    /// MRF solvers and network training share one β schedule: iteration k (1-based) of a solver
    /// uses the schedule's β at 0-based iteration k − 1, capped as in training.
    @Test func betaFollowsTheSharedSchedule() throws {
        guard case .relaxation(let s) = try Algorithm(parsing: "softmax-pgd[rho=2,every=1,cap=8]") else { Issue.record("not softmax-pgd"); return }
        #expect((1 ... 6).map { s.beta(atIteration: $0) } == [1, 2, 4, 8, 8, 8])
        #expect((1 ... 6).map { s.beta(atIteration: $0) } == (0 ..< 6).map { s.beta.beta(at: $0) })
    }

    @Test(arguments: [("pmf[eta=0]", "eta must be"), ("mf[color=red]", "no setting 'color'"), ("mf[order=zigzag]", "must be one of fixed, random, parallel"),
                      ("pmf[beta=2]", "no setting 'beta'; it takes eta, beta0, rho, every, cap"), ("pmf[cap=0.5]", "cap must be a finite number ≥ beta0"),
                      ("md[beta0=2e4]", "beta0=20000 is above the default cap 10000"),
                      ("foo", "unknown algorithm 'foo'"), ("pmf[eta=1", "closing"), ("pmf[eta]", "key=value"), ("mf[eta=1]", "no setting 'eta'"),
                      ("bp[tol=1,tol=2]", "twice"), ("exact[maxclique=5]", "no setting 'maxclique'"),
                      ("exact[maxbytes=0.5]", "maxbytes must be a number of bytes"), ("exact[maxbytes=8X]", "maxbytes must be"), ("trw[rho=2]", "rho must be auto or a number in (0, 1]")])
    func badSpecsSayWhatIsWrong(text: String, fragment: String) {
        do {
            _ = try Algorithm(parsing: text)
            Issue.record("\(text) parsed")
        } catch {
            #expect(error.description.contains(fragment), "\(error)")
        }
    }

    @Test func maxBytesTakesBinaryUnits() throws {
        for (text, bytes) in [("exact[maxbytes=8G]", 8_589_934_592.0), ("exact[maxbytes=1.5KiB]", 1536), ("exact[maxbytes=100]", 100),
                              ("exact[maxbytes=2M]", 2_097_152)] {
            guard case .exact(let s) = try Algorithm(parsing: text) else { Issue.record("not exact"); continue }
            #expect(s.maxBytes == bytes && s.junctionTree.maxBytes == bytes)
            #expect(try Algorithm(parsing: s.description) == .exact(s))
        }
        #expect(ExactSettings().junctionTree.maxBytes == JunctionTree.defaultMaxBytes)
        #expect(JunctionTree.defaultMaxBytes > 0)
    }

    /// One grammar, one error style: a malformed algorithm is the shared grammar's error, verbatim.
    @Test func malformedAlgorithmsFailWithTheSharedGrammarsMessage() {
        for text in ["pmf[eta=1,]", "pmf[eta=1", "bp[tol=1,tol=2]"] {
            var expected = ""
            do { _ = try SpecText(parsing: text, what: "algorithm") } catch { expected = error.description }
            do { _ = try Algorithm(parsing: text); Issue.record("\(text) parsed") } catch { #expect(error.description == expected && !expected.isEmpty) }
        }
    }
}
