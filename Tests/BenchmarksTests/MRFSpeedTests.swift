@testable import Benchmarks
import MRF
import Testing

/// `pmf bench mrf`'s rates and libDAI ratios against hand computations, and a run on a tiny grid.
@Suite struct MRFSpeedTests {
    @Test func libDAIsRateIsBPsForBeliefPropagationAndMeanFieldsOtherwise() throws {
        #expect(LibDAIAnchor.rate(for: try Algorithm(parsing: "bp[schedule=parallel]")) == 0.24)
        #expect(LibDAIAnchor.rate(for: try Algorithm(parsing: "bp[inference=max]")) == 0.24)
        #expect(LibDAIAnchor.rate(for: try Algorithm(parsing: "mf[order=parallel]")) == 0.11)
    }

    @Test func ratesAreUpdatesPerSecondAndTheFilePathSubtractsItsSetup() throws {
        // 65 536 variables × 100 sweeps in 2 s = 3.2768 M/s; through the file 3 s − 1 s of setup, the same.
        let mf = try MRFSpeed(model: "g", algorithm: Algorithm(parsing: "mf"), variables: 65_536, sweeps: 100, seconds: 2,
                              fileSolveSeconds: (iterations: 3, setup: 1), loadSeconds: 0.5, outputSeconds: 0.1)
        #expect(close(mf.mups, 3.2768) && close(mf.fileMups, 3.2768) && close(mf.memoryOverFile, 1))
        #expect(close(mf.memoryOverLibDAI, 3.2768 / 0.11) && close(mf.fileOverLibDAI, 3.2768 / 0.11))
        let bp = try MRFSpeed(model: "g", algorithm: Algorithm(parsing: "bp"), variables: 10_000, sweeps: 12, seconds: 0.5,
                              fileSolveSeconds: (iterations: 1.1, setup: 0.1), loadSeconds: 0, outputSeconds: 0)
        #expect(close(bp.mups, 0.24) && close(bp.memoryOverLibDAI, 1) && close(bp.fileMups, 0.12) && close(bp.memoryOverFile, 2))
        #expect(Set(try jsonObject(bp).keys) == ["model", "method", "variables", "sweeps", "seconds", "mups", "fileMups", "loadSeconds", "outputSeconds"])
    }

    @Test func timingSettingsRunExactlyTheGivenIterations() throws {
        guard case .relaxation(let mf) = try Algorithm(parsing: "mf[maxiter=7,tol=0.5]").iterations(3),
              case .beliefPropagation(let bp) = try Algorithm(parsing: "bp").iterations(0) else {
            Issue.record("iterations(_:) changed the kind of algorithm")
            return
        }
        #expect(mf.maxIterations == 3 && mf.tolerance == 0 && mf.method == .mf)
        #expect(bp.maxIterations == 0 && bp.tolerance == 0)
    }

    @Test func aTinyGridIsTimedForEveryMethod() throws {
        let speeds = try MRFBenchmark(sweeps: 2, grids: [.init(name: "tiny", side: 3, labels: 3)]).run()
        #expect(speeds.map(\.method) == ["mf[order=parallel]", "mf", "bp[schedule=parallel]", "bp"])
        #expect(speeds.allSatisfy { $0.model == "tiny" && $0.variables == 9 && $0.sweeps == 2 && $0.mups > 0 && $0.fileMups > 0 })
    }
}
