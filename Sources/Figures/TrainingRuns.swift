import Foundation
import Gnuplot
import Quantization
import Support

/// One training run a figure needs: a network schedule, a method, a level set and a seed.
public struct TrainingRequest: Hashable, Sendable {
    /// The network's schedule.
    public var net: TrainingSchedule.Net
    /// A preset base name (`pmf`) or a method spec (`pmf[rho=1.1,…]`), run with the base name's preset.
    public var method: String
    /// `pmf train --levels` value, or nil for the preset's (binary).
    public var levels: String?
    /// The seed.
    public var seed: UInt

    /// Creates a request.
    public init(net: TrainingSchedule.Net, method: String, levels: String? = nil, seed: UInt) {
        self.net = net
        self.method = method
        self.levels = levels
        self.seed = seed
    }

    /// `lenet300 pq seed 2`, for progress lines.
    public var label: String {
        "\(net.arch) \(method)\(levels.map { " \($0)" } ?? "") seed \(seed)"
    }
}

/// One finished `pmf train` run: what was asked and what it left in its folder.
public struct TrainingRun: Equatable, Sendable {
    /// What was asked.
    public var request: TrainingRequest
    /// `trace.dat`, read by column name.
    public var trace: TrainingTrace
    /// `results.json`.
    public var result: RunResult
}

/// Where a whole figure job is: runs done of all it needs, and the time left.
public struct JobProgress: Sendable {
    /// Runs finished (cached ones included).
    public var done: Int
    /// Runs in the job.
    public var total: Int
    /// Seconds since the job started training.
    public var elapsed: Double
    /// Estimated seconds to the end, nil until a run has been timed.
    public var remaining: Double?
    /// The run now training, or nil when none is.
    public var current: String?
}

/// Runs `pmf train` into `ROOT/ARCH-METHOD[-LEVELS]-sSEED` folders, each once. A folder counts
/// as finished when its `request.txt` holds the arguments the run would be trained with now and
/// its `results.json` is complete, so a rerun trains nothing and a changed schedule retrains. A
/// run interrupted part-way resumes from its last checkpoint (`pmf train --resume`).
public final class TrainingRunStore {
    /// Where the run folders go.
    public let root: URL
    private let runner: any CommandRunner
    private let log: (String) -> Void

    /// Iterations between a run's checkpoints.
    static let checkpointEvery = 2_500

    /// A store under `root` running `pmf` through `runner`; progress lines go to `log`.
    public init(root: URL, runner: any CommandRunner, log: @escaping (String) -> Void = { _ in }) {
        self.root = root
        self.runner = runner
        self.log = log
    }

    /// The folder of one run: `ROOT/ARCH-METHOD[-LEVELS]-sSEED`, the method spec made a plain name.
    public func folder(_ request: TrainingRequest) -> URL {
        let levels = request.levels.map { "-\(MethodSpecText.plainName($0))" } ?? ""
        return root.appendingPathComponent("\(request.net.arch)-\(MethodSpecText.plainName(request.method))\(levels)-s\(request.seed)",
                                           isDirectory: true)
    }

    /// The supp. Table 4 preset of `request`'s network and method base name, rescaled to the run's length.
    /// - Throws: `FigureError` when there is no preset for that method.
    static func preset(_ request: TrainingRequest) throws -> Preset {
        let name = "\(request.net.presetPrefix)-\(MethodSpecText.baseName(request.method))"
        guard let preset = try? Preset.named(name) else {
            throw FigureError("no supp. Table 4 preset \(name) for method '\(request.method)'; the figures train \(TrainingSchedule.paperMethods.joined(separator: ", "))")
        }
        do {
            return try preset.rescaled(toIterations: request.net.iterations(batchSize: preset.batchSize))
        } catch {
            throw FigureError("preset \(name): \(error)")
        }
    }

    /// The PMF method of `net`'s preset with another ρ, or `pmf` itself when ρ is the preset's (so
    /// the ρ study shares that run with the table).
    public static func pmf(on net: TrainingSchedule.Net, rho: Double) throws -> String {
        let preset = try preset(TrainingRequest(net: net, method: "pmf", seed: 1))
        var spec = try MethodSpec(parsing: preset.method)
        guard spec.beta.rho != rho else { return "pmf" }
        spec.beta.rho = rho
        return spec.description
    }

    /// `pmf train` arguments for `request`, without `--out`.
    static func arguments(_ request: TrainingRequest) throws -> [String] {
        let preset = try preset(request)
        var arguments = ["train", "--preset", preset.name, "--dataset", "fashion-mnist", "--epochs", "\(request.net.epochs)",
                         "--seed", "\(request.seed)", "--log-every", "\(request.net.logEvery)",
                         "--checkpoint-every", "\(checkpointEvery)"]
        if request.method != MethodSpecText.baseName(request.method) { arguments += ["--method", request.method] }
        if let levels = request.levels { arguments += ["--levels", levels] }
        if let limit = request.net.limit { arguments += ["--limit", "\(limit)"] }
        return arguments
    }

    /// Whether `request`'s folder holds its finished run, trained with today's arguments.
    public func isFinished(_ request: TrainingRequest) -> Bool {
        let folder = self.folder(request)
        guard let asked = try? Self.arguments(request),
              let recorded = try? String(contentsOf: folder.appendingPathComponent("request.txt"), encoding: .utf8),
              recorded == Self.requestText(asked),
              let result = try? RunResult(contentsOf: folder.appendingPathComponent("results.json")) else { return false }
        return result.epochs == request.net.epochs
    }

    /// Trains every request whose folder does not hold it yet, in order, reporting the whole job's
    /// progress (runs done of all requested, and an estimate of the time left) before and after each run.
    /// - Throws: `FigureError` when a run fails.
    public func train(_ requests: [TrainingRequest], progress: (JobProgress) -> Void) throws {
        let missing = requests.filter { !isFinished($0) }
        var done = requests.count - missing.count
        // Time per unit of work, a unit being an iteration of LeNet-300; other networks by a prior ratio.
        func units(_ request: TrainingRequest) -> Double {
            Double(request.net.iterations()) * (request.net.arch == "lenet300" ? 1 : request.net.arch == "lenet5" ? 12 : 60)
        }
        let start = ContinuousClock.now
        var (spentUnits, leftUnits) = (0.0, missing.map(units).reduce(0, +))
        func report(_ current: String?) {
            let elapsed = seconds(since: start)
            progress(JobProgress(done: done, total: requests.count, elapsed: elapsed,
                                 remaining: spentUnits > 0 ? leftUnits * elapsed / spentUnits : nil, current: current))
        }
        for request in missing {
            report(request.label)
            try train(request)
            done += 1
            spentUnits += units(request)
            leftUnits -= units(request)
        }
        report(nil)
    }

    /// The finished run of `request`, training it first unless its folder already holds it.
    /// - Throws: `FigureError` when `pmf train` fails or leaves unreadable files.
    public func run(_ request: TrainingRequest) throws -> TrainingRun {
        if !isFinished(request) { try train(request) }
        let folder = self.folder(request)
        return TrainingRun(request: request, trace: try TrainingTrace(contentsOf: folder.appendingPathComponent("trace.dat")),
                           result: try RunResult(contentsOf: folder.appendingPathComponent("results.json")))
    }

    /// The finished runs of `methods` × `seeds` on `net`, grouped by method in the given order.
    public func runs(_ net: TrainingSchedule.Net, methods: [String], levels: String? = nil, seeds: [UInt]) throws
        -> [(method: String, runs: [TrainingRun])] {
        try methods.map { method in
            (method: method, runs: try seeds.map { try run(TrainingRequest(net: net, method: method, levels: levels, seed: $0)) })
        }
    }

    /// Trains one run: resumes it from its checkpoint when the folder holds one of the same request,
    /// else starts afresh in an emptied folder.
    private func train(_ request: TrainingRequest) throws {
        let folder = self.folder(request)
        let arguments = try Self.arguments(request)
        let requestURL = folder.appendingPathComponent("request.txt")
        let sameRequest = (try? String(contentsOf: requestURL, encoding: .utf8)) == Self.requestText(arguments)
        if sameRequest, [Checkpoint.fileName, Checkpoint.previousFileName].contains(where: {
            FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path)
        }) {
            log("resuming \(request.label) from its checkpoint")
            let outcome = try runner.run(["train", "--resume", folder.path, "--checkpoint-every", "\(Self.checkpointEvery)"])
            try writeAtomically(outcome.standardError, to: folder.appendingPathComponent("train.log"))
            if outcome.status == 0 { return }
            log("could not resume \(request.label) (\(outcome.lastErrorLine)); training it afresh")
        }
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try writeAtomically(Self.requestText(arguments), to: requestURL)
        log("training \(request.label): \(request.net.summary)")
        let outcome = try runner.run(arguments + ["--out", folder.path])
        try writeAtomically(outcome.standardError, to: folder.appendingPathComponent("train.log"))
        guard outcome.status == 0 else {
            throw FigureError("pmf \((arguments + ["--out", folder.path]).joined(separator: " ")) failed: \(outcome.lastErrorLine) (log: \(folder.path)/train.log)")
        }
    }

    /// The arguments as recorded in `request.txt`: one per line.
    static func requestText(_ arguments: [String]) -> String { arguments.joined(separator: "\n") + "\n" }
}

private func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}
