import Figures
import Foundation
import Quantization
import Sweep
import Testing

/// Figures and sweeps keep their runs in the same `RunFolder`s: the same spec, planned either way,
/// gives the same `config.json` and the same `pmf train` arguments.
@Suite struct RunFolderTests {
    @Test("a sweep plan and a figure plan produce the same run folder for the same spec")
    func sweepsAndFiguresAgree() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The figure: LeNet-300 PMF on Fashion-MNIST, 1 epoch of 500 images, a row every 5 iterations, seed 2.
        let net = tinySchedule.nets[0]
        let request = TrainingRequest(dataset: .fashionMNIST, net: net, method: "pmf", seed: 2)
        let store = TrainingRunStore(root: folder.appendingPathComponent("figures"), backend: FakeTraining())
        try store.train([request]) { _ in }
        let figureRun = store.folder(request)

        // The sweep: the same preset and settings, written as a user would.
        let sweep = folder.appendingPathComponent("sweep.yaml")
        try """
            base: mnist-lenet300-pmf
            fixed: {dataset: fashion-mnist, epochs: \(net.epochs), limit: \(net.limit!), log-every: \(net.logEvery), checkpoint-every: 2500}
            axes: {seed: [2]}
            """.write(to: sweep, atomically: true, encoding: .utf8)
        let (plan, _) = try planSweep(file: sweep.path, into: folder.appendingPathComponent("sweep").path)
        let sweepRun = RunFiles.folder(of: try #require(plan.runs.first).id, inSweep: folder.appendingPathComponent("sweep").path)

        let bytes = { (run: URL) in try Data(contentsOf: run.appendingPathComponent(RunFolder.specFile)) }
        #expect(try bytes(sweepRun) == bytes(figureRun))
        #expect(RunFolder.spec(in: sweepRun) == (try TrainingRunStore.spec(request)))
        let arguments = { (run: URL) in
            RunFolder.trainArguments(folder: run, checkpointEvery: 2500).map { $0.replacingOccurrences(of: run.path, with: "RUN") }
        }
        #expect(arguments(sweepRun) == arguments(figureRun))
        #expect(arguments(sweepRun) == ["train", "--run", "RUN/config.json", "--out", "RUN", "--checkpoint-every", "2500"])
    }

    @Test("a folder's standing against a spec: empty, pending, changed, finished, finished otherwise")
    func standing() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("run", isDirectory: true)
        var spec = RunSpec(), other = RunSpec()
        (spec.seed, other.seed) = (1, 2)
        #expect(RunFolder.standing(of: run, for: spec) == .empty)
        try RunFolder.write(spec, in: run)
        #expect(RunFolder.standing(of: run, for: spec) == .pending && RunFolder.standing(of: run, for: other) == .changed)
        try Data("{}".utf8).write(to: run.appendingPathComponent(RunReport.fileName))   // not a report
        #expect(RunFolder.standing(of: run, for: spec) == .pending)
        try FakeTraining().train(in: run, checkpointEvery: 10)
        #expect(RunFolder.standing(of: run, for: spec) == .finished && RunFolder.standing(of: run, for: other) == .finishedOtherwise)
        try FileManager.default.removeItem(at: run.appendingPathComponent(RunFolder.specFile))
        #expect(RunFolder.standing(of: run, for: spec) == .finishedOtherwise)
    }
}
