import Foundation
import Gnuplot
import NeuralNet
import Quantization
import Support

/// One training run a figure needs: a dataset, a network schedule, a method, a level set and a seed.
public struct TrainingRequest: Hashable, Sendable {
    /// The dataset (`.mnist`, or `.fashionMNIST` in its place).
    public var dataset: DatasetKind
    /// The network's schedule.
    public var net: TrainingSchedule.Net
    /// A preset base name (`pmf`) or a method spec (`pmf[rho=1.1,…]`), run with the base name's preset.
    public var method: String
    /// A level-set name (`k4`), or nil for the preset's (binary).
    public var levels: String?
    /// A learning-rate schedule (`step[every=7000,factor=0.2]`), or nil for the preset's.
    public var schedule: String?
    /// The BatchNorm statistics evaluations use (`reestimate[batches=20]`), or nil for the preset's.
    public var bn: String?
    /// The seed.
    public var seed: UInt

    /// Creates a request.
    public init(dataset: DatasetKind, net: TrainingSchedule.Net, method: String, levels: String? = nil, schedule: String? = nil,
                bn: String? = nil, seed: UInt) {
        self.dataset = dataset
        self.net = net
        self.method = method
        self.levels = levels
        self.schedule = schedule
        self.bn = bn
        self.seed = seed
    }

    /// `lenet300 pq seed 2`, for progress lines.
    public var label: String {
        let settings = [levels, schedule.map { "lr \($0)" }, bn.map { "bn \($0)" }].compactMap { $0 }.map { " \($0)" }.joined()
        return "\(dataset == .mnist ? "" : "\(dataset.rawValue) ")\(net.arch) \(method)\(settings) seed \(seed)"
    }
}

/// One finished training run: what was asked and what it left in its folder.
public struct TrainingRun: Equatable, Sendable {
    /// What was asked.
    public var request: TrainingRequest
    /// `trace.dat`, read by column name.
    public var trace: TrainingTrace
    /// `results.json`.
    public var report: RunReport
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
    /// The runs now training (their labels), in the order they started.
    public var training: [String]
}

/// Trains runs into `ROOT/DATASET/ARCH-METHOD[-LEVELS]-sSEED` folders (`RunFolder`) through a
/// `TrainingBackend`, each once. A folder counts as finished when its `config.json` holds the spec the
/// run would be trained with now and its `results.json` is a complete `RunReport`, so a rerun trains nothing and
/// a changed schedule retrains. A run interrupted part-way resumes from its last checkpoint.
public final class TrainingRunStore {
    /// Where the run folders go.
    public let root: URL
    private let backend: any TrainingBackend
    private let log: (String) -> Void

    /// Iterations between a run's checkpoints.
    static let checkpointEvery = 2_500
    /// A store under `root` training through `backend`; progress lines go to `log`.
    public init(root: URL, backend: any TrainingBackend, log: @escaping (String) -> Void = { _ in }) {
        self.root = root
        self.backend = backend
        self.log = log
    }

    /// The folder of one run: `ROOT/DATASET/ARCH-METHOD[-LEVELS][-lr-SCHEDULE][-bn-BN]-sSEED`, each
    /// setting made a plain name.
    public func folder(_ request: TrainingRequest) -> URL {
        let settings = [request.levels, request.schedule.map { "lr-\($0)" }, request.bn.map { "bn-\($0)" }]
            .compactMap { $0 }.map { "-\(MethodSpecText.plainName($0))" }.joined()
        return root.appendingPathComponent(request.dataset.rawValue, isDirectory: true)
            .appendingPathComponent("\(request.net.arch)-\(MethodSpecText.plainName(request.method))\(settings)-s\(request.seed)", isDirectory: true)
    }

    /// The spec of `request`: the supp. Table 4 preset of its network and method base name on the
    /// request's dataset, its schedules rescaled to the run's length, with the request's method spec,
    /// levels, epochs, training images, trace interval and seed.
    /// - Throws: `FigureError` when there is no preset for that method or a setting is invalid.
    public static func spec(_ request: TrainingRequest) throws -> RunSpec {
        let name = "\(request.net.presetPrefix)-\(MethodSpecText.baseName(request.method))"
        guard let preset = try? Preset.named(name) else {
            throw FigureError("no supp. Table 4 preset \(name) for method '\(request.method)'; the figures train \(TrainingSchedule.paperMethods.joined(separator: ", "))")
        }
        do {
            var overrides = RunSpec.Overrides()
            (overrides.dataset, overrides.epochs, overrides.seed) = (request.dataset, request.net.epochs, request.seed)
            (overrides.logEvery, overrides.limit) = (request.net.logEvery, request.net.limit)
            for (key, text) in [(RunSpec.Key.levels, request.levels), (.schedule, request.schedule), (.bn, request.bn)] {
                if let text { try overrides.set(key, to: text) }
            }
            if request.method != MethodSpecText.baseName(request.method) { try overrides.set(.method, to: request.method) }
            return try RunSpec.resolve(preset: preset, overrides: overrides, trainingImages: request.net.trainingImages)
        } catch {
            throw FigureError("\(request.label): \(error)")
        }
    }

    /// The PMF method of `net`'s preset with another ρ, or `pmf` itself when ρ is the preset's (so
    /// the ρ study shares that run with the table).
    public static func pmf(on net: TrainingSchedule.Net, rho: Double) throws -> String {
        try method("pmf", on: net) { $0.beta.rho = rho }
    }

    /// The method of `net`'s preset `base` (rescaled to the net's length) with `edit` applied, or
    /// `base` itself when the edit changes nothing (so the variant shares the preset's runs).
    public static func method(_ base: String, on net: TrainingSchedule.Net, edit: (inout MethodSpec) -> Void) throws -> String {
        let preset = try spec(TrainingRequest(dataset: .mnist, net: net, method: base, seed: 1)).method
        var spec = preset
        edit(&spec)
        return spec == preset ? base : spec.description
    }

    /// The learning-rate schedule of `net`'s REF preset rescaled to the net's length: Table 4's MNIST
    /// default (×0.2 every 7 000 of 20 000 iterations).
    public static func defaultSchedule(on net: TrainingSchedule.Net) throws -> String {
        try spec(TrainingRequest(dataset: .mnist, net: net, method: "ref", seed: 1)).schedule.description
    }

    /// Whether `request`'s folder holds its finished run, trained with today's spec.
    public func isFinished(_ request: TrainingRequest) -> Bool {
        let folder = self.folder(request)
        guard let spec = try? Self.spec(request) else { return false }
        return RunFolder.standing(of: folder, for: spec) == .finished
    }

    /// Trains every request whose folder does not hold it yet, `backend.concurrency` at a time,
    /// the longest first (by `RunCost`, one iteration of each kind timed first), reporting the
    /// whole job's progress (runs done of all requested, an estimate of the time left from those
    /// costs and the time taken so far, the runs training) whenever a run starts or ends. A run that
    /// cannot resume from its checkpoint is trained afresh; after a failure no new run starts, the
    /// running ones finish, and the first failure is thrown.
    /// - Throws: `FigureError` when a run fails.
    public func train(_ requests: [TrainingRequest], progress: (JobProgress) -> Void) throws {
        // Each run's estimated seconds (`RunCost`, as the sweeps' estimates): one iteration timed by
        // the backend per kind of run, extrapolated to the run's length with its evaluations.
        let pending = requests.filter { !isFinished($0) }
        var measured: [String: (seconds: Double, fractional: Bool)] = [:], cost: [TrainingRequest: Double] = [:]
        for request in pending {
            let spec = try Self.spec(request), kind = RunCost.iterationKind(spec)
            if measured[kind] == nil { measured[kind] = try backend.iterationTime(spec) }
            cost[request] = RunCost(spec, trainingImages: request.net.trainingImages, iteration: measured[kind]!).seconds
        }
        func units(_ request: TrainingRequest) -> Double { cost[request]! }
        var queue = pending.enumerated().sorted { (units($0.element), $1.offset) > (units($1.element), $0.offset) }.map(\.element)
        var done = requests.count - queue.count
        let start = ContinuousClock.now
        var (spentUnits, leftUnits) = (0.0, queue.map(units).reduce(0, +))
        var running: [(id: Int, attempt: Attempt)] = [], nextID = 0, failure: (any Error)?, fresh: Set<TrainingRequest> = []
        let ended = Mailbox()
        func report() {
            let elapsed = (ContinuousClock.now - start).inSeconds
            progress(JobProgress(done: done, total: requests.count, elapsed: elapsed,
                                 remaining: spentUnits > 0 ? leftUnits * elapsed / spentUnits : nil,
                                 training: running.map(\.attempt.request.label)))
        }
        report()
        while true {
            while failure == nil, running.count < backend.concurrency, !queue.isEmpty {
                let request = queue.removeFirst()
                do {
                    let attempt = try prepare(request, resuming: !fresh.contains(request))
                    let (id, backend, every) = (nextID, backend, Self.checkpointEvery)
                    nextID += 1
                    running.append((id, attempt))
                    Thread.detachNewThread {
                        ended.post(id, Result { try backend.train(in: attempt.folder, checkpointEvery: every) })
                    }
                    report()
                } catch {
                    failure = error
                }
            }
            if running.isEmpty { break }
            let (id, result) = ended.take()
            let attempt = running.remove(at: running.firstIndex { $0.id == id }!).attempt
            switch result {
            case .success:
                (done, spentUnits, leftUnits) = (done + 1, spentUnits + units(attempt.request), leftUnits - units(attempt.request))
            case .failure(let error) where attempt.resume:
                log("could not resume \(attempt.request.label) (\(error)); training it afresh")
                fresh.insert(attempt.request)
                queue.insert(attempt.request, at: 0)
            case .failure(let error):
                failure = failure ?? FigureError("training \(attempt.request.label) in \(attempt.folder.path) failed: \(error)")
            }
            report()
        }
        if let failure { throw failure }
    }

    /// The finished run of `request`, training it first unless its folder already holds it.
    /// - Throws: `FigureError` when training fails, or the reader's error naming an unreadable file.
    public func run(_ request: TrainingRequest) throws -> TrainingRun {
        if !isFinished(request) { try train([request]) { _ in } }
        let folder = self.folder(request)
        return TrainingRun(request: request, trace: try TrainingTrace(contentsOf: folder.appendingPathComponent(TraceFile.fileName)),
                           report: try RunReport(contentsOf: folder))
    }

    /// The finished runs of `methods` × `net`'s seeds on `dataset`, grouped by method in the given order.
    public func runs(_ dataset: DatasetKind, _ net: TrainingSchedule.Net, methods: [String], levels: String? = nil) throws
        -> [(method: String, runs: [TrainingRun])] {
        try methods.map { method in
            (method: method, runs: try net.seeds.map {
                try run(TrainingRequest(dataset: dataset, net: net, method: method, levels: levels, seed: $0))
            })
        }
    }

    /// One training of a request: its folder, and whether it continues from a checkpoint.
    private struct Attempt: Sendable {
        var request: TrainingRequest
        var folder: URL
        var resume: Bool
    }

    /// Readies `request`'s folder: kept as it is when `resuming` is allowed and the folder holds a
    /// checkpoint of the same spec, else emptied and given the spec as `config.json`.
    private func prepare(_ request: TrainingRequest, resuming: Bool) throws -> Attempt {
        let folder = self.folder(request)
        let spec = try Self.spec(request)
        if resuming, RunFolder.spec(in: folder) == spec, RunFolder.hasCheckpoint(folder) {
            log("resuming \(request.label) from its checkpoint")
            return Attempt(request: request, folder: folder, resume: true)
        }
        try? FileManager.default.removeItem(at: folder)
        try RunFolder.write(spec, in: folder)
        log("training \(request.label): \(request.net.summary)")
        return Attempt(request: request, folder: folder, resume: false)
    }
}

/// Where training threads leave their results for the thread that started them: `post` from any
/// thread, `take` waits for the next.
private final class Mailbox: @unchecked Sendable {
    private let condition = NSCondition()
    private var results: [(id: Int, result: Result<Void, any Error>)] = []

    func post(_ id: Int, _ result: Result<Void, any Error>) {
        condition.withLock {
            results.append((id, result))
            condition.signal()
        }
    }

    func take() -> (id: Int, result: Result<Void, any Error>) {
        condition.withLock {
            while results.isEmpty { condition.wait() }
            return results.removeFirst()
        }
    }
}
