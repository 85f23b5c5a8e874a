import Foundation
import Quantization
import Testing
@testable import Sweep

@Suite struct LocalRunnerTests {
    /// A stand-in for `pmf`: `train --run DIR/config.json --out DIR` prints a line with the seed the
    /// spec holds, then fails with status 3 for seed 2 and otherwise copies a finished run's report into DIR.
    func fakePMF(in folder: String) throws -> String {
        let template = folder + "/report.json"
        try report(testAccuracy: 0.75).write(to: URL(fileURLWithPath: folder, isDirectory: true))
        try FileManager.default.moveItem(atPath: folder + "/results.json", toPath: template)
        let script = folder + "/pmf"
        try write("""
            #!/bin/sh
            out=""; seed=""
            while [ $# -gt 0 ]; do case "$1" in --out) out="$2"; shift;; --run) seed=$(sed -n 's/.*"seed":\\([0-9]*\\).*/\\1/p' "$2"); shift;; esac; shift; done
            echo "training seed $seed"
            if [ "$seed" = 2 ]; then echo "seed 2 diverged" >&2; exit 3; fi
            cp '\(template)' "$out/results.json"

            """, to: script)
        chmod(script, 0o755)
        return script
    }

    @Test func runsThePendingRunsAndMarksTheFailedOne() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try write("axes:\n  seed: [1, 2, 3]\n", to: folder + "/s.yaml")
        let (plan, _) = try planSweep(file: folder + "/s.yaml", into: folder + "/out")
        let runner = LocalRunner(sweepFolder: folder + "/out", binary: try fakePMF(in: folder), jobs: 2)
        let triage = runner.triage(plan)
        #expect(triage.toRun.map(\.id) == ["s1", "s2", "s3"] && triage.finished.isEmpty && triage.running.isEmpty)
        var failures: [(String, Int32, String)] = [], finished: [String: Double] = [:], lastProgress = (done: -1, running: -1)
        let outcome = try runner.run(triage.toRun) { event in
            switch event {
            case .progress(let done, let running): lastProgress = (done, running)
            case .finished(let id, _, _, let report): finished[id] = report.testAccuracy
            case .failed(let id, _, let status, let line): failures.append((id, status, line))
            }
        }
        #expect(outcome.finished.sorted() == ["s1", "s3"] && outcome.failed == ["s2"])
        #expect(finished == ["s1": 0.75, "s3": 0.75] && lastProgress == (3, 0))
        #expect(failures.count == 1 && failures[0].0 == "s2" && failures[0].1 == 3 && failures[0].2 == "seed 2 diverged")
        let failed = RunFiles.folder(of: "s2", inSweep: folder + "/out").path
        #expect(RunFiles.status(of: failed) == .failed)
        #expect(try String(contentsOfFile: failed + "/failed.json", encoding: .utf8) == "{\"exit_status\":3}\n")
        let log = try String(contentsOfFile: failed + "/log.txt", encoding: .utf8)
        #expect(log.hasPrefix("=== ") && log.contains(" train --run \(failed)/config.json --out \(failed)") && log.hasSuffix("training seed 2\nseed 2 diverged\n"))
        for id in ["s1", "s2", "s3"] {
            #expect(RunFiles.runningMarker(in: RunFiles.folder(of: id, inSweep: folder + "/out").path) == nil)
        }
        let status = SweepStatus(plan, folder: folder + "/out")
        #expect(status.counts == ["finished": 2, "failed": 1, "running": 0, "pending": 0] && status.runs["failed"] == ["s2"])
        #expect(status.failures.count == 1 && status.failures[0].logTail.last == "seed 2 diverged" && status.resumable.isEmpty)
        #expect(String(decoding: try JSONEncoder().encode(status.failures[0]), as: UTF8.self).contains("\"log_tail\""))
        // Run again: the finished runs are skipped, the failed one is retried.
        let again = runner.triage(plan)
        #expect(again.toRun.map(\.id) == ["s2"] && again.finished == ["s1", "s3"])
    }
}
