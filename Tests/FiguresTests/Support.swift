import Figures
import Foundation
import Gnuplot
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

/// The columns `pmf train` writes on main (float only) and in the quantized-training build.
enum TraceFormat: CaseIterable {
    case floatOnly, quantized

    var columns: [DataColumn] {
        switch self {
        case .floatOnly:
            [DataColumn("iteration"), DataColumn("epoch"), DataColumn("loss", unit: "nats"), DataColumn("train_accuracy", unit: "fraction"),
             DataColumn("learning_rate"), DataColumn("validation_accuracy", unit: "fraction")]
        case .quantized:
            [DataColumn("iteration"), DataColumn("epoch"), DataColumn("loss", unit: "nats"), DataColumn("train_accuracy", unit: "fraction"),
             DataColumn("learning_rate"), DataColumn("validation_accuracy_quantized", unit: "fraction"),
             DataColumn("validation_accuracy_fractional", unit: "fraction"), DataColumn("beta"),
             DataColumn("mean_entropy", unit: "nats"), DataColumn("vertex_fraction", unit: "fraction"), DataColumn("flip_ratio", unit: "fraction")]
        }
    }

    /// A trace of `rows` rows, two per epoch; the float-only format has validation accuracy at
    /// epoch ends only (NaN elsewhere), the quantized one at every row.
    func trace(rows: Int = 6, scale: Double = 1) -> DataFile {
        let data = (1 ... rows).map { row -> [Double] in
            let epoch = Double(row) / 2
            let accuracy = 0.5 + 0.4 * (1 - 1 / (1 + epoch)) * scale
            let base = [Double(row * 10), epoch, 2 / (1 + epoch), 0.8, 0.001]
            switch self {
            case .floatOnly: return base + [row % 2 == 0 ? accuracy : .nan]
            case .quantized: return base + [accuracy, accuracy + 0.01, pow(1.2, Double(row)), 0.3, 0.9, 0.01]
            }
        }
        return DataFile(name: "trace", columns: columns, provenance: Provenance(command: "pmf train --arch lenet300", seed: 1, version: "0.1.0"),
                        datasets: [NamedDataset(name: "training", rows: data)])
    }
}

/// A stand-in for the `pmf` binary: `train` writes a synthetic run (in `format`) into `--out`, or
/// into the `--resume` folder; with `interruptFirst`, the first training call leaves only a
/// checkpoint and fails, as a killed run would. `check` writes evidence files when `hasCheck`, else
/// fails. Records the calls.
final class FakePMF: CommandRunner, @unchecked Sendable {
    let format: TraceFormat
    let hasCheck: Bool
    private let lock = NSLock()
    private var calls: [[String]] = []
    private var interruptNext: Bool

    init(format: TraceFormat = .quantized, hasCheck: Bool = false, interruptFirst: Bool = false) {
        self.format = format
        self.hasCheck = hasCheck
        interruptNext = interruptFirst
    }

    var trainCalls: [[String]] { lock.withLock { calls.filter { $0.first == "train" } } }

    func run(_ arguments: [String]) throws -> CommandOutcome {
        lock.withLock { calls.append(arguments) }
        func value(_ flag: String, in list: [String] = arguments) -> String? {
            list.firstIndex(of: flag).map { list[$0 + 1] }
        }
        switch arguments.first {
        case "train":
            var settings = arguments
            if let resumed = value("--resume") {
                settings = try String(contentsOf: URL(fileURLWithPath: resumed).appendingPathComponent("request.txt"), encoding: .utf8)
                    .split(separator: "\n").map(String.init) + ["--out", resumed]
            }
            let out = URL(fileURLWithPath: value("--out", in: settings) ?? "/nonexistent", isDirectory: true)
            if lock.withLock({ defer { interruptNext = false }; return interruptNext }) {
                try Data([1, 2, 3]).write(to: out.appendingPathComponent("checkpoint.bin"))
                return CommandOutcome(status: 137, standardError: "killed\n")
            }
            let seed = Double(value("--seed", in: settings) ?? "1") ?? 1
            let method = value("--method", in: settings) ?? String(value("--preset", in: settings)!.split(separator: "-").last!)
            let offset = Double(TrainingSchedule.paperMethods.firstIndex(of: method) ?? 0)
            try format.trace(scale: 1 / seed).write(in: out)
            let results = #"{"epochs": \#(value("--epochs", in: settings) ?? "1"), "test_accuracy": \#(0.8 + 0.01 * seed + 0.001 * offset), "method": "\#(method)"}"#
            try Data(results.utf8).write(to: out.appendingPathComponent("results.json"))
            return CommandOutcome(status: 0, standardError: "")
        case "check" where hasCheck:
            try evidenceFiles().forEach { try $0.write(in: URL(fileURLWithPath: value("--out")!, isDirectory: true)) }
            return CommandOutcome(status: 0, standardError: "")
        default:
            return CommandOutcome(status: 64, standardError: "pmf: error: Unknown option '--out'\n")
        }
    }

    /// Evidence shaped as `pmf check` is specified to write it.
    func evidenceFiles() -> [DataFile] {
        let betas = (0 ... 8).map { pow(10, Double($0) - 2) }
        let provenance = Provenance(command: "pmf check", seed: 1, version: "0.1.0")
        return [
            DataFile(name: "theorem-3.1", columns: [DataColumn("beta"), DataColumn("deviation")], provenance: provenance,
                     datasets: [NamedDataset(name: "random-rows", rows: betas.map { [$0, 1e-16 * $0] })]),
            DataFile(name: "proposition-3.1", columns: [DataColumn("iteration"), DataColumn("deviation")], provenance: provenance,
                     datasets: [NamedDataset(name: "clipped", rows: (0 ... 9).map { [Double($0), 0] }),
                                NamedDataset(name: "unclipped", rows: (0 ... 9).map { [Double($0), 0.1 * Double($0)] })]),
            DataFile(name: "softmax-limit", columns: [DataColumn("beta"), DataColumn("deviation"), DataColumn("bound")], provenance: provenance,
                     datasets: [NamedDataset(name: "gap-0.5", rows: betas.map { [$0, exp(-0.5 * $0), 2 * exp(-0.5 * $0)] })]),
        ]
    }
}

/// A schedule small enough for tests (the fake runner does not train anyway).
let tinySchedule = TrainingSchedule(
    nets: [.init(arch: "lenet300", title: "LeNet-300", epochs: 1, limit: 500, logEvery: 5),
           .init(arch: "lenet5", title: "LeNet-5", epochs: 1, limit: 500, logEvery: 5)],
    methods: TrainingSchedule.paperMethods, seeds: [1, 2],
    levelRows: [.init(title: "LeNet-300, 2-bit PMF", net: .init(arch: "lenet300", title: "LeNet-300", epochs: 1, limit: 500, logEvery: 5),
                      method: "pmf", levels: "k4")],
    rhoNet: .init(arch: "lenet300", title: "LeNet-300", epochs: 1, limit: 500, logEvery: 5), rhos: TrainingSchedule.paperRhos)

/// A builder writing under `folder` with `runner`.
func builder(_ folder: URL, runner: any CommandRunner, schedule: TrainingSchedule = tinySchedule) -> FigureBuilder {
    FigureBuilder(context: FigureContext(out: folder, schedule: schedule, provenance: testProvenance, runner: runner))
}
