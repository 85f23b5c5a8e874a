import Figures
import Foundation
import Quantization
import Testing

/// `ProcessTraining` against a stand-in `pmf`: a shell script that logs its arguments and worker
/// count, fails for a folder whose name contains `fail`, and otherwise copies a finished report
/// into its run folder (`--out`, or `--resume`'s folder).
@Suite struct ProcessTrainingTests {
    func fakePMF(in folder: URL) throws -> URL {
        let template = folder.appendingPathComponent("template", isDirectory: true)
        try FileManager.default.createDirectory(at: template, withIntermediateDirectories: true)
        let config = RunSpec()
        try RunReport(arch: config.arch.rawValue, method: config.method.description, levels: [-1, 1], dataset: config.dataset.rawValue, seed: 1, epochs: 1,
                      testAccuracy: 0.9, testAccuracyFractional: 0.9, bestValidationAccuracy: 0.9, bestEpoch: 1, bestIteration: 5,
                      seconds: 1, samplesPerSecond: 100, trainSize: 500, validationSize: 100, testSize: 100, resumedFromIteration: nil,
                      compressionRatio: nil, version: "test").write(to: template)
        let script = folder.appendingPathComponent("pmf")
        try """
            #!/bin/sh
            echo "threads $PMFKIT_THREADS: $*"
            case "$3" in *fail*) echo "bad settings in $3" >&2; exit 3;; esac
            cp '\(template.path)/results.json' "$5/results.json"

            """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return script
    }

    @Test("a run is pmf train --run on its config.json, with --resume when it has a checkpoint, on the given workers, logged in train.log")
    func startsPMFTrain() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let backend = ProcessTraining(executable: try fakePMF(in: folder), runs: 2, threadsPerRun: 1)
        #expect(backend.concurrency == 2)
        let run = folder.appendingPathComponent("lenet300-pmf-s1", isDirectory: true)
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        try backend.train(in: run, checkpointEvery: 2500)
        try Data([1]).write(to: run.appendingPathComponent(Checkpoint.fileName))
        try backend.train(in: run, checkpointEvery: 2500)
        #expect((try? RunReport(contentsOf: run))?.testAccuracy == 0.9)
        let log = try String(contentsOf: run.appendingPathComponent(ProcessTraining.logFile), encoding: .utf8)
        #expect(log == """
            threads 1: train --run \(run.path)/config.json --out \(run.path) --checkpoint-every 2500
            threads 1: train --run \(run.path)/config.json --out \(run.path) --resume \(run.path) --checkpoint-every 2500

            """)
    }

    @Test("a failed run throws its exit status and last log line; a run that leaves no report fails too")
    func failure() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let backend = ProcessTraining(executable: try fakePMF(in: folder), runs: 1, threadsPerRun: 2)
        let run = folder.appendingPathComponent("fail-s1", isDirectory: true)
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        let error = try #require(throws: FigureError.self) { try backend.train(in: run, checkpointEvery: 10) }
        #expect(error.description.contains("exit status 3: bad settings in \(run.path)/config.json"))
        let silent = ProcessTraining(executable: URL(fileURLWithPath: "/bin/true"), runs: 1, threadsPerRun: 1)
        let empty = folder.appendingPathComponent("empty", isDirectory: true)
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let missing = try #require(throws: FigureError.self) { try silent.train(in: empty, checkpointEvery: 10) }
        #expect(missing.description.contains("no readable results.json"))
        let absent = ProcessTraining(executable: folder.appendingPathComponent("no-such-pmf"), runs: 1, threadsPerRun: 1)
        #expect(throws: FigureError.self) { try absent.train(in: empty, checkpointEvery: 10) }
    }
}
