import Foundation
import Quantization
import Testing
@testable import Sweep

/// Sweep files whose size would explode (issue #17): the product of the axes is checked before the
/// runs are built.
@Suite struct HostileInputTests {
    @Test func axesMultiplyingPastTheLimitAreRefusedByName() throws {
        let keys = ["seed", "lr", "log-every", "epochs", "limit", "batch-size"]
        let text = "axes:\n" + keys.map { "  \($0): [" + (2 ... 11).map(String.init).joined(separator: ", ") + "]\n" }.joined()
        let sweep = try SweepFile(text: text, file: "big.yaml")
        #expect(throws: SweepError.self) { _ = try sweep.expand(baseFolder: "/") }
        do {
            _ = try sweep.expand(baseFolder: "/")
        } catch let error as SweepError {
            #expect(error.description.contains("more than \(SweepFile.maximumRuns) runs at axis 'batch-size'") && error.description.contains("seed: 10"))
        }
        // One axis fewer is 10⁵ runs, the limit itself: allowed.
        let smaller = try SweepFile(text: "axes:\n" + keys.dropLast().map { "  \($0): [" + (2 ... 11).map(String.init).joined(separator: ", ") + "]\n" }.joined())
        #expect(try smaller.combinationCount() == SweepFile.maximumRuns)
    }

    /// A run whose checkpoint.bin is gone but whose previous checkpoint is there still resumes
    /// (pmf train --resume falls back to checkpoint.prev.bin).
    @Test func aPreviousCheckpointAloneStillResumes() throws {
        let sweep = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: sweep) }
        let run = PlannedRun(id: "s1", settings: [], spec: RunSpec())
        let folder = RunFiles.folder(of: run.id, inSweep: sweep)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        #expect(!RunFolder.hasCheckpoint(folder))
        try write("x", to: folder.path + "/checkpoint.prev.bin")
        #expect(RunFolder.hasCheckpoint(folder))
        #expect(RunFiles.launchArguments(for: run, binary: "/bin/pmf", sweep: sweep).suffix(2) == ["--resume", folder.path])
    }
}
