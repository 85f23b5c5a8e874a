import Foundation
import NeuralNet
import Quantization
import Support

/// The estimated time of the runs of a sweep that share a network, dataset, batch size, method and
/// level set: one iteration measured on this machine with all its workers and, in a child process,
/// with one, extrapolated to the runs' length (`RunCost`, evaluations included) and to other core
/// counts by Amdahl's law.
///
/// With t₁ the seconds per iteration on one core and t_N on this machine's N, the parallel fraction
/// is p = (1 − t_N/t₁)/(1 − 1/N) (clamped to [0, 1]) and an iteration on k cores is taken to cost
/// t₁·(1 − p + p/k): exact at 1 and N cores, optimistic beyond N (no memory-bandwidth limit, no
/// per-region overhead grows with k). CPU time is the wall time times the cores a run holds.
public struct CostEstimate: Encodable, Equatable, Sendable {
    /// The runs of this kind, in plan order.
    public var runs: [String]
    public var arch, dataset, method, levels: String
    public var batchSize: Int
    /// Iterations of one run.
    public var iterations: Int
    /// One run's length in iterations, evaluations counted as their share of one (`RunCost`).
    public var iterationEquivalents: Double
    /// Workers of the main measurement (this machine's `workerCount`).
    public var cores: Int
    /// Measured seconds per iteration on `cores` workers.
    public var secondsPerIteration: Double
    /// Measured seconds per iteration on one worker; nil when not measured (`cores` is 1, or no child
    /// process was asked for).
    public var secondsPerIterationOneCore: Double?

    enum CodingKeys: String, CodingKey {
        case runs, arch, dataset, method, levels, batchSize = "batch_size", iterations
        case iterationEquivalents = "iteration_equivalents", cores, secondsPerIteration = "seconds_per_iteration"
        case secondsPerIterationOneCore = "seconds_per_iteration_one_core", secondsPerRun = "seconds_per_run"
        case parallelFraction = "parallel_fraction"
    }

    /// The stored values and `secondsPerRun` and `parallelFraction` (null when unknown).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(runs, forKey: .runs)
        try c.encode(arch, forKey: .arch)
        try c.encode(dataset, forKey: .dataset)
        try c.encode(method, forKey: .method)
        try c.encode(levels, forKey: .levels)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(iterations, forKey: .iterations)
        try c.encode(iterationEquivalents, forKey: .iterationEquivalents)
        try c.encode(cores, forKey: .cores)
        try c.encode(secondsPerIteration, forKey: .secondsPerIteration)
        try c.encode(secondsPerIterationOneCore, forKey: .secondsPerIterationOneCore)
        try c.encode(secondsPerRun, forKey: .secondsPerRun)
        try c.encode(parallelFraction, forKey: .parallelFraction)
    }

    /// Estimated wall seconds of one run on this machine's cores.
    public var secondsPerRun: Double { secondsPerIteration * iterationEquivalents }

    /// The parallel fraction p the two measurements imply, nil without the one-core measurement.
    public var parallelFraction: Double? {
        guard let one = secondsPerIterationOneCore, cores > 1 else { return nil }
        return min(1, max(0, (1 - secondsPerIteration / one) / (1 - 1 / Double(cores))))
    }

    /// Estimated wall seconds of one run on `k` cores: measured at 1 and `cores`, Amdahl's law
    /// elsewhere; nil for a count other than `cores` without the one-core measurement.
    public func secondsPerRun(cores k: Int) -> Double? {
        if k == cores { return secondsPerRun }
        guard let one = secondsPerIterationOneCore, let p = parallelFraction, k >= 1 else { return nil }
        return one * (1 - p + p / Double(k)) * iterationEquivalents
    }

    /// One estimate per kind of run among `runs` (each run's id and resolved settings), in order of
    /// first appearance; the length of a kind is that of its last run, its training images counted on
    /// its data once per dataset and folder (`RunData.trainingImages`). `oneCore`, when given, measures
    /// a kind's seconds per iteration on one worker (`measureOnOneCore` in a child process).
    /// - Throws: `QuantizationError` for settings a run cannot be built from; what `oneCore` throws.
    public static func estimates(_ runs: [(id: String, spec: RunSpec)],
                                 oneCore: ((RunSpec) throws -> Double)? = nil) throws -> [CostEstimate] {
        var order: [String] = [], members: [String: [String]] = [:], specs: [String: RunSpec] = [:]
        for (id, spec) in runs {
            let key = RunCost.iterationKind(spec)
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(id)
            specs[key] = spec
        }
        var images = TrainingImageCount(count: RunData.trainingImages(of:))
        return try order.map { key in
            let c = specs[key]!
            let cost = try RunCost.estimate(c, trainingImages: images.of(c))
            return CostEstimate(runs: members[key]!, arch: c.arch.rawValue, dataset: c.dataset.rawValue, method: c.method.description, levels: c.levels.name,
                                batchSize: c.batchSize, iterations: cost.iterations, iterationEquivalents: cost.iterationEquivalents,
                                cores: workerCount, secondsPerIteration: cost.secondsPerIteration,
                                secondsPerIterationOneCore: workerCount > 1 ? try oneCore?(c) : nil)
        }
    }

    /// A kind's seconds per iteration on one worker: `executable sweep step-time …` run with
    /// PMFKIT_THREADS=1 (`RunCost.measureIteration` in a process of its own, since a process's worker
    /// count is fixed when it starts), its one line of output read as a number.
    /// - Throws: `SweepError` when the child cannot start, fails, or prints no number.
    public static func measureOnOneCore(_ c: RunSpec, executable: URL = runningExecutable()) throws -> Double {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["sweep", "step-time"] + [RunSpec.Key.arch, .dataset, .method, .levels, .batchSize, .convolution].flatMap { key in
            ["--\(key.flag)", c.text(of: key) ?? ""]
        }
        var environment = ProcessInfo.processInfo.environment
        environment["PMFKIT_THREADS"] = "1"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { throw SweepError("cannot start \(executable.path) to time one core: \(error)") }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, let seconds = Double(text), seconds > 0 else {
            throw SweepError("\(executable.path) sweep step-time for \(c.arch.rawValue) \(c.method) failed (status \(process.terminationStatus), output '\(text)')")
        }
        return seconds
    }
}
