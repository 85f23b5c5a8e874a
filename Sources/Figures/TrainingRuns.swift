import Foundation
import Gnuplot

/// One finished `pmf train` run: what was asked and what it left in its folder.
public struct TrainingRun: Equatable, Sendable {
    /// The network's schedule.
    public var net: TrainingSchedule.Net
    /// The method spec passed to `pmf train --method`.
    public var method: String
    /// The seed.
    public var seed: UInt
    /// `trace.dat`, read by column name.
    public var trace: TrainingTrace
    /// `results.json`.
    public var result: RunResult

    /// Creates a run record.
    public init(net: TrainingSchedule.Net, method: String, seed: UInt, trace: TrainingTrace, result: RunResult) {
        self.net = net
        self.method = method
        self.seed = seed
        self.trace = trace
        self.result = result
    }
}

/// Runs `pmf train` into `ROOT/A-M-sS` folders, once: a folder whose `results.json` matches the
/// requested epochs and training-set size is reused, so reruns cost nothing. A method the build
/// rejects (`unknown --method`, `unknown method`) is remembered and skipped for the other runs.
public final class TrainingRunStore {
    /// Where the run folders go.
    public let root: URL
    private let runner: any CommandRunner
    private let log: (String) -> Void
    private var rejected: [String: String] = [:]

    /// A store under `root` running `pmf` through `runner`; progress lines go to `log`.
    public init(root: URL, runner: any CommandRunner, log: @escaping (String) -> Void = { _ in }) {
        self.root = root
        self.runner = runner
        self.log = log
    }

    /// The folder of one run: `ROOT/ARCH-METHOD-sSEED`, the method spec made a plain name.
    public func folder(arch: String, method: String, seed: UInt) -> URL {
        root.appendingPathComponent("\(arch)-\(MethodSpecText.plainName(method))-s\(seed)", isDirectory: true)
    }

    /// The finished run, training it first unless its folder already holds it; `nil` when this
    /// `pmf` build does not know the method (the reason is in `rejection(of:)`).
    /// - Throws: `FigureError` when `pmf train` fails for another reason or leaves unreadable files.
    public func run(_ net: TrainingSchedule.Net, method: String, seed: UInt) throws -> TrainingRun? {
        let spec = MethodSpecText.withAnnealing(method, every: net.annealEvery)
        if rejected[MethodSpecText.baseName(spec)] != nil { return nil }
        let folder = self.folder(arch: net.arch, method: method, seed: seed)
        let resultsURL = folder.appendingPathComponent("results.json")
        if !isFinished(resultsURL, net: net) {
            log("training \(net.arch) \(spec) seed \(seed): \(net.epochs) epochs on \(net.limit.map(String.init) ?? "all") images")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            var arguments = ["train", "--arch", net.arch, "--method", spec, "--dataset", "fashion-mnist",
                             "--epochs", "\(net.epochs)", "--seed", "\(seed)", "--log-every", "\(net.logEvery)",
                             "--out", folder.path]
            if let limit = net.limit { arguments += ["--limit", "\(limit)"] }
            let outcome = try runner.run(arguments)
            try writeAtomically(outcome.standardError, to: folder.appendingPathComponent("train.log"))
            if outcome.status != 0 {
                let line = outcome.lastErrorLine
                if line.contains("unknown --method") || line.contains("unknown method") {
                    rejected[MethodSpecText.baseName(spec)] = line
                    try? FileManager.default.removeItem(at: folder)
                    return nil
                }
                throw FigureError("pmf \(arguments.joined(separator: " ")) failed: \(line) (log: \(folder.path)/train.log)")
            }
        }
        return TrainingRun(net: net, method: method, seed: seed,
                           trace: try TrainingTrace(contentsOf: folder.appendingPathComponent("trace.dat")),
                           result: try RunResult(contentsOf: resultsURL))
    }

    /// Why the build rejected `method`, or `nil` if it did not.
    public func rejection(of method: String) -> String? {
        rejected[MethodSpecText.baseName(method)]
    }

    /// Every run of `methods` × `seeds` on `net` that this build can train, grouped by method in
    /// the given order (methods it cannot train are absent).
    public func runs(_ net: TrainingSchedule.Net, methods: [String], seeds: [UInt]) throws -> [(method: String, runs: [TrainingRun])] {
        try methods.compactMap { method in
            let runs = try seeds.compactMap { try run(net, method: method, seed: $0) }
            return runs.isEmpty ? nil : (method: method, runs: runs)
        }
    }

    private func isFinished(_ resultsURL: URL, net: TrainingSchedule.Net) -> Bool {
        guard let result = try? RunResult(contentsOf: resultsURL) else { return false }
        return result.epochs == net.epochs && (net.limit == nil || result.trainSize == nil || result.trainSize == net.limit)
    }
}
