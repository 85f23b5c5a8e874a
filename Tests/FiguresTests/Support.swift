import Figures
import Foundation
import Gnuplot
import NeuralNet
import Quantization
import Testing

/// A fresh empty folder under the system's temporary directory; the caller removes it.
func makeTemporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("FiguresTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The gnuplot on PATH; when missing the test fails unless `PMF_ALLOW_NO_GNUPLOT=1`.
func gnuplotForTest(sourceLocation: SourceLocation = #_sourceLocation) -> GnuplotProgram? {
    if let program = GnuplotProgram.onPath() { return program }
    if ProcessInfo.processInfo.environment["PMF_ALLOW_NO_GNUPLOT"] != "1" {
        Issue.record("gnuplot is not on PATH: install it (scripts/install-deps.sh installs gnuplot-nox) or set PMF_ALLOW_NO_GNUPLOT=1",
                     sourceLocation: sourceLocation)
    }
    return nil
}

let testProvenance = Provenance(command: "pmf figures --quick", seed: nil, version: "PMFKit test")

/// A synthetic trace of `rows` rows, two per epoch, with a validation accuracy at every row whose
/// rise `scale` scales.
func syntheticTrace(rows: Int = 6, scale: Double = 1) -> [TraceRow] {
    (1 ... rows).map { row in
        let epoch = Double(row) / 2
        let accuracy = 0.5 + 0.4 * (1 - 1 / (1 + epoch)) * scale
        var trace = TraceRow(iteration: row * 10, epoch: epoch, loss: 2 / (1 + epoch), trainAccuracy: 0.8, learningRate: 0.001,
                             validationAccuracy: accuracy)
        (trace.validationAccuracyFractional, trace.beta, trace.meanEntropy) = (accuracy + 0.01, pow(1.2, Double(row)), 0.3)
        (trace.vertexFraction, trace.flipRatio) = (0.9, 0.01)
        return trace
    }
}

/// A synthetic `trace.dat`, as a run writes it.
func syntheticTraceFile(scale: Double = 1) -> DataFile {
    TraceFile.dataFile(syntheticTrace(scale: scale), command: "pmf train --arch lenet300", seed: 1)
}

/// A stand-in for training: writes a synthetic `trace.dat` (its accuracy's rise scaled by 1/seed)
/// and `results.json` (test accuracy 0.8 + 0.01·seed + 0.001·(the method's column in the paper's
/// table)); with `interruptFirst`, the first call leaves only a checkpoint and fails, as a killed
/// run would. Records the calls and the most that were in flight at once; with `concurrency` > 1
/// the first call waits (up to 10 s) until a second has started.
final class FakeTraining: TrainingBackend, @unchecked Sendable {
    struct Call: Equatable {
        var spec: RunSpec
        var folder: URL
        /// Whether the folder held a checkpoint to continue from.
        var resume: Bool
    }

    struct Killed: Error {}

    let concurrency: Int
    private let condition = NSCondition()
    private var recorded: [Call] = []
    private var interruptNext: Bool
    private var inFlight = 0
    private var mostInFlight = 0

    init(interruptFirst: Bool = false, concurrency: Int = 1) {
        interruptNext = interruptFirst
        self.concurrency = concurrency
    }

    var calls: [Call] { condition.withLock { recorded } }

    /// A fixed prior in place of a measurement, so the order of runs does not depend on timing: a
    /// LeNet-5 iteration 12 LeNet-300 ones, others 60.
    func iterationTime(_ spec: RunSpec) throws -> (seconds: Double, fractional: Bool) {
        (1e-3 * (spec.arch == .lenet300 ? 1 : spec.arch == .lenet5 ? 12 : 60), spec.method.quantizes)
    }
    var maxInFlight: Int { condition.withLock { mostInFlight } }

    func train(in folder: URL, checkpointEvery: Int) throws {
        let config = try #require(RunFolder.spec(in: folder))
        let (first, interrupt) = condition.withLock { () -> (Bool, Bool) in
            recorded.append(Call(spec: config, folder: folder, resume: RunFolder.hasCheckpoint(folder)))
            inFlight += 1
            mostInFlight = max(mostInFlight, inFlight)
            condition.broadcast()
            defer { interruptNext = false }
            return (recorded.count == 1, interruptNext)
        }
        defer { condition.withLock { inFlight -= 1 } }
        if first, concurrency > 1 {
            let deadline = Date().addingTimeInterval(10)
            condition.withLock { while mostInFlight < 2, condition.wait(until: deadline) {} }
        }
        if interrupt {
            try Data([1, 2, 3]).write(to: folder.appendingPathComponent(Checkpoint.fileName))
            throw Killed()
        }
        let seed = Double(config.seed)
        let column = Double(TrainingSchedule.paperMethods.firstIndex(of: config.method.kind.rawValue) ?? 0)
        try syntheticTraceFile(scale: 1 / seed).write(in: folder)
        try RunReport(arch: config.arch.rawValue, method: config.method.description, levels: [-1, 1], dataset: config.dataset.rawValue, seed: config.seed,
                      epochs: config.epochs, testAccuracy: 0.8 + 0.01 * seed + 0.001 * column, testAccuracyFractional: 0.9,
                      bestValidationAccuracy: 0.85, bestEpoch: 1, bestIteration: 5, seconds: 1, samplesPerSecond: 100,
                      trainSize: config.limit ?? 50_000, validationSize: 10_000, testSize: 10_000, resumedFromIteration: nil,
                      compressionRatio: nil, version: "test").write(to: folder)
    }
}

/// A schedule small enough for tests (the fake backend does not train anyway).
let tinySchedule: TrainingSchedule = {
    let lenet300 = TrainingSchedule.Net(arch: "lenet300", title: "LeNet-300", epochs: 1, limit: 500, logEvery: 5, seeds: [1, 2])
    return TrainingSchedule(
        dataset: .fashionMNIST,
        nets: [lenet300, .init(arch: "lenet5", title: "LeNet-5", epochs: 1, limit: 500, logEvery: 5, seeds: [1, 2])],
        methods: TrainingSchedule.paperMethods,
        levelRows: [.init(title: "LeNet-300, 2-bit PMF", net: lenet300, method: "pmf", levels: "k4")],
        rhoNet: lenet300, rhos: TrainingSchedule.paperRhos)
}()

/// A builder writing under `folder`, training through `backend`.
func builder(_ folder: URL, backend: any TrainingBackend, schedule: TrainingSchedule = tinySchedule) -> FigureBuilder {
    FigureBuilder(context: FigureContext(out: folder, schedule: schedule, provenance: testProvenance, backend: backend))
}
