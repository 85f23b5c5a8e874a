import Simplex
import Testing
@testable import Theorems

/// Every check passes at its tolerance, every informational one shows the departure it documents,
/// and deliberately wrong variants are caught.
@Suite struct TheoremsTests {
    @Test(arguments: allChecks().filter { !$0.informational }.map(\.name))
    func everyCheckPasses(name: String) {
        let check = allChecks().first { $0.name == name }!
        let (outcome, _) = check.run(trials: 40, seed: 3)
        #expect(outcome.passed, "\(name): deviation \(outcome.maxDeviation) > tolerance \(outcome.tolerance)")
        #expect(outcome.trials > 0)
    }

    /// An informational row reports where a statement stops holding: its deviation must exceed the
    /// tolerance (for the mini-batch BC/PICM row, a sign flip adds 1), or it shows nothing.
    @Test(arguments: allChecks().filter(\.informational).map(\.name))
    func everyInformationalCheckShowsItsDeparture(name: String) {
        let check = allChecks().first { $0.name == name }!
        let (outcome, _) = check.run(trials: 40, seed: 3)
        #expect(outcome.passed && outcome.trials > 0)
        #expect(outcome.maxDeviation > check.tolerance && outcome.maxDeviation.isFinite, "\(name): deviation \(outcome.maxDeviation)")
    }

    @Test func missingProximalTermIsCaught() {
        let (outcome, _) = theorem31(.withoutProximalTerm).run(trials: 20, seed: 1)
        #expect(!outcome.passed && outcome.maxDeviation > 1e-3)
    }

    @Test func referenceJacobianClaimedAsExactIsCaught() {
        let (outcome, _) = algorithm1Gradient(jacobian: .reference).run(trials: 20, seed: 1)
        #expect(!outcome.passed && outcome.maxDeviation > 1e-3)
    }

    @Test func equalStepsForBCAndPICMAreCaught() {
        let (outcome, _) = proposition31([.init(clip: true, stepRatio: 1), .init(clip: false, stepRatio: 1)]).run(trials: 10, seed: 1)
        #expect(!outcome.passed && outcome.maxDeviation > 1e-2)
    }

    /// The independent solver agrees with the closed form on an instance worked out by hand:
    /// min ⟨c,u⟩ − H(u) over two labels with c = (0, log 3) is u = (3/4, 1/4).
    @Test func entropicSolverOnAHandInstance() {
        let u = entropicMinimizer(cost: [0, Double.log(3)], beta: 1)
        #expect(abs(u[0] - 0.75) < 1e-14 && abs(u[1] - 0.25) < 1e-14)
    }

    @Test func evidenceHasTheSeriesTheFiguresPlot() {
        let (_, evidence) = theorem31().run(trials: 8, seed: 2)
        #expect(evidence.first?.name == "theorem-3.1")
        #expect(Set(evidence[0].datasets.map(\.name)) == ["random", "mrf", "network"])
        let (_, limit) = softmaxLimit().run(trials: 4, seed: 2)
        #expect(limit.first?.columns == ["beta", "deviation", "bound", "weight_gap"])
    }
}
