import Testing
@testable import Sweep

/// Sweep files whose size would explode (issue #17): the product of the axes is checked before the
/// runs are built.
@Suite struct HostileInputTests {
    @Test func axesMultiplyingPastTheLimitAreRefusedByName() throws {
        let keys = ["seed", "lr", "log-every", "epochs", "limit", "batch-size"]
        let text = "axes:\n" + keys.map { "  \($0): [" + (1 ... 10).map(String.init).joined(separator: ", ") + "]\n" }.joined()
        let sweep = try SweepFile(text: text, file: "big.yaml")
        #expect(throws: SweepError.self) { _ = try sweep.expand(runsFolder: "/r", baseFolder: "/") }
        do {
            _ = try sweep.expand(runsFolder: "/r", baseFolder: "/")
        } catch let error as SweepError {
            #expect(error.description.contains("more than \(SweepFile.maximumRuns) runs at axis 'batch-size'") && error.description.contains("seed: 10"))
        }
        // One axis fewer is 10⁵ runs, the limit itself: allowed.
        let smaller = try SweepFile(text: "axes:\n" + keys.dropLast().map { "  \($0): [" + (1 ... 10).map(String.init).joined(separator: ", ") + "]\n" }.joined())
        #expect(try smaller.combinationCount() == SweepFile.maximumRuns)
    }
}
