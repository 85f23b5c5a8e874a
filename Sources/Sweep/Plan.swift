import Foundation
import Gnuplot
import Quantization
import Support

/// One run of a sweep: its id, the axis values that make it (after the method parameters that do
/// not apply to its method are dropped), the `RunSpec` it trains and its checkpoint interval.
public struct PlannedRun: Equatable, Codable, Sendable {
    /// The readable id, e.g. `lenet300-pmf-rho1.05-s2`; also the run's folder name under `runs/`.
    public var id: String
    /// The run's values of the sweep's axes, as written in the sweep file, in axis order.
    public var settings: [SweepFile.Setting]
    /// What the run trains: the base preset ← fixed ← axis values, resolved (`RunSpec.resolve`).
    public var spec: RunSpec
    /// Iterations between checkpoints (`checkpoint-every`), nil for one at the end only.
    public var checkpointEvery: Int?

    private enum CodingKeys: String, CodingKey { case id, settings, spec, checkpointEvery = "checkpoint_every" }

    public init(id: String, settings: [SweepFile.Setting], spec: RunSpec, checkpointEvery: Int? = nil) {
        (self.id, self.settings, self.spec, self.checkpointEvery) = (id, settings, spec, checkpointEvery)
    }

    /// The value of axis `key` in this run, if the run has one.
    public func value(of key: String) -> String? { settings.first { $0.key == key }?.value }
}

extension SweepFile {
    /// The most runs one sweep may expand to.
    public static let maximumRuns = 100_000

    /// The product of the axes' lengths, checked (for overflow and against `maximumRuns`) before
    /// `expand` builds the combinations.
    func combinationCount() throws(SweepError) -> Int {
        var product = 1
        for axis in axes {
            let (next, overflow) = product.multipliedReportingOverflow(by: axis.values.count)
            guard !overflow, next <= Self.maximumRuns else {
                throw SweepError("the axes (\(axes.map { "\($0.key): \($0.values.count)" }.joined(separator: ", "))) make more than \(Self.maximumRuns) runs at axis '\(axis.key)'; split the sweep")
            }
            product = next
        }
        return product
    }

    /// The runs of the cartesian product of the axes (last axis fastest), each with its resolved
    /// spec. Combinations that differ only in method parameters their method does not take
    /// (ref × rho) are one run. A relative `data` folder is resolved against `baseFolder` (the sweep
    /// file's folder). A preset's schedules are rescaled to the run's length, counted by
    /// `trainingImages` (by default on the run's data, `RunData.trainingImages`) once per dataset and folder.
    /// - Throws: `SweepError` when two different runs would get the same id, a method parameter is
    ///   given without a method, or a value is not one `pmf train` takes.
    public func expand(baseFolder: String, trainingImages: @escaping (RunSpec) -> Int = RunData.trainingImages(of:)) throws -> [PlannedRun] {
        _ = try combinationCount()
        var combinations: [[Setting]] = [[]]
        for axis in axes {
            combinations = combinations.flatMap { prefix in axis.values.map { prefix + [Setting(axis.key, $0)] } }
        }
        var runs: [PlannedRun] = []
        var byID: [String: PlannedRun] = [:]
        var images = TrainingImageCount(count: trainingImages)
        for combination in combinations {
            let run = try makeRun(combination, baseFolder: baseFolder, images: &images)
            if let other = byID[run.id] {
                guard other.spec == run.spec, other.checkpointEvery == run.checkpointEvery else {
                    throw SweepError("runs \(Self.text(other.settings)) and \(Self.text(run.settings)) would both get the id '\(run.id)'; make the axis values differ in letters or digits")
                }
                continue
            }
            byID[run.id] = run
            runs.append(run)
        }
        return runs
    }

    private static func text(_ settings: [Setting]) -> String {
        settings.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    private func makeRun(_ combination: [Setting], baseFolder: String, images: inout TrainingImageCount) throws -> PlannedRun {
        var options: [String: String] = [:]
        for setting in base + fixed + combination { options[setting.key] = setting.value }
        if let data = options["data"], !data.hasPrefix("/") {
            options["data"] = URL(fileURLWithPath: data, relativeTo: URL(fileURLWithPath: baseFolder, isDirectory: true)).standardizedFileURL.path
        }
        // Compose the method spec: name[existing,…,swept parameters it takes].
        let parameters = TrainKeys.methodParameters.filter { options[$0] != nil }
        var dropped: Set<String> = []
        if !parameters.isEmpty || options["method"]?.contains("[") == true {
            guard let method = options["method"] else {
                throw SweepError("the method parameters \(parameters.joined(separator: ", ")) need a method: set method in base, fixed or axes (a preset's own method is not known to the planner)")
            }
            let parsed: SpecText
            do { parsed = try SpecText(parsing: method, what: "method") } catch { throw SweepError(error.description) }
            var settings = parsed.settings
            let accepted = TrainKeys.parametersByMethod[parsed.name]
            for key in parameters {
                if let accepted, !accepted.contains(key) { dropped.insert(key); continue }
                settings.removeAll { $0.key == key }
                settings.append((key, options[key]!))
            }
            options["method"] = SpecText(name: parsed.name, settings: settings).description
        }
        let settings = combination.filter { !dropped.contains($0.key) }
        let id = Self.runID(settings)
        do {
            var overrides = RunSpec.Overrides()
            for key in RunSpec.Key.allCases {
                if let text = options[key.flag] { try overrides.set(key, to: text) }
            }
            let preset = try options["preset"].map { try Preset.named($0) }
            let trainingImages = try preset.map { _ in images.of(try RunSpec.resolve(preset: preset, overrides: overrides)) }
            let spec = try RunSpec.resolve(preset: preset, overrides: overrides, trainingImages: trainingImages)
            return PlannedRun(id: id, settings: settings, spec: spec, checkpointEvery: options["checkpoint-every"].flatMap { Int($0) })
        } catch {
            throw SweepError("run \(id): \(error)")
        }
    }

    /// The run id of a set of axis values: the values in a fixed key order (preset, arch, dataset,
    /// method, method parameters, other options, seed last), each behind its short tag
    /// (`TrainKeys.idTag`), joined by `-`; characters other than letters, digits and `._+` become `_`.
    public static func runID(_ settings: [Setting]) -> String {
        let order = TrainKeys.options.filter { $0 != "seed" && !["method"].contains($0) }
        let keys = ["preset", "arch", "dataset", "method"] + TrainKeys.methodParameters
            + order.filter { !["preset", "arch", "dataset"].contains($0) } + ["seed"]
        var parts: [String] = []
        for key in keys {
            guard let value = settings.first(where: { $0.key == key })?.value else { continue }
            var text = value
            if key == "method" {
                text = text.replacingOccurrences(of: "[", with: "-").replacingOccurrences(of: ",", with: "-")
                    .replacingOccurrences(of: "]", with: "").replacingOccurrences(of: "=", with: "")
            } else if key == "data" {
                text = (value as NSString).lastPathComponent
            }
            parts.append(TrainKeys.idTag(key) + sanitized(text))
        }
        return parts.isEmpty ? "run" : parts.joined(separator: "-")
    }

    private static func sanitized(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._+-".contains($0)) ? $0 : "_" })
    }
}

/// `DIR/plan.json`: the sweep's axes and runs.
public struct SweepPlan: Equatable, Codable, Sendable {
    /// The sweep file it was planned from (absolute path).
    public var sweepFile: String
    /// The axis keys, in file order.
    public var axes: [String]
    /// The runs, in expansion order.
    public var runs: [PlannedRun]
    /// Run folders under `runs/` that the sweep file no longer names (kept, not deleted).
    public var removed: [String]

    private enum CodingKeys: String, CodingKey { case sweepFile = "sweep_file", axes, runs, removed }

    public init(sweepFile: String, axes: [String], runs: [PlannedRun], removed: [String]) {
        self.sweepFile = sweepFile
        self.axes = axes
        self.runs = runs
        self.removed = removed
    }

    /// Reads `DIR/plan.json`.
    public init(folder: String) throws {
        let path = (folder as NSString).appendingPathComponent("plan.json")
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SweepError("\(path): no plan here; run `pmf sweep plan SWEEP.yaml --out \(folder)` first")
        }
        do { self = try jsonDecoder().decode(SweepPlan.self, from: data) } catch {
            throw SweepError("\(path): unreadable plan (\(error)); plan again with `pmf sweep plan`")
        }
    }
}

/// The training images of planned runs, counted once per dataset and folder.
struct TrainingImageCount {
    /// The images a spec's run trains on.
    let count: (RunSpec) -> Int
    private var counts: [String: Int] = [:]

    init(count: @escaping (RunSpec) -> Int) { self.count = count }

    /// The images `spec`'s run trains on: its whole training split counted once, then its limit.
    mutating func of(_ spec: RunSpec) -> Int {
        let key = "\(spec.dataset.rawValue) \(spec.data ?? "")"
        var unlimited = spec
        unlimited.limit = nil
        let full = counts[key] ?? count(unlimited)
        counts[key] = full
        return RunData.limited(full, by: spec)
    }
}

/// What `plan` did to the sweep folder.
public struct PlanOutcome: Equatable, Codable, Sendable {
    /// Runs that got a new folder.
    public var added: [String] = []
    /// Unfinished runs whose spec changed (e.g. a fixed option changed).
    public var updated: [String] = []
    /// Runs already planned with the same spec.
    public var unchanged: [String] = []
    /// Finished runs whose spec would now differ (or that hold none); left as they are.
    public var staleFinished: [String] = []
    /// Run folders the sweep no longer names; kept.
    public var removed: [String] = []
    /// All runs of the plan.
    public var total = 0

    private enum CodingKeys: String, CodingKey { case added, updated, unchanged, staleFinished = "stale_finished", removed, total }
}

/// Plans `file` (with `overrides`, see `SweepFile.overriding`) into `folder`: writes `plan.json`
/// and each run's spec as `runs/ID/config.json` (`RunFolder`) for every run that is not finished
/// and whose spec is new or changed. Finished runs (those with `results.json`) are never written to; folders of runs the
/// file no longer names are reported, not deleted. Planning the same file twice changes nothing.
public func planSweep(file: String, into folder: String, overrides: [String] = []) throws -> (SweepPlan, PlanOutcome) {
    let fileURL = URL(fileURLWithPath: file).standardizedFileURL
    let folderURL = URL(fileURLWithPath: folder, isDirectory: true).standardizedFileURL
    let sweep = try SweepFile(contentsOf: fileURL.path).overriding(overrides)
    let runsURL = folderURL.appendingPathComponent("runs", isDirectory: true)
    let runs = try sweep.expand(baseFolder: fileURL.deletingLastPathComponent().path)
    let manager = FileManager.default
    try manager.createDirectory(at: runsURL, withIntermediateDirectories: true)
    var outcome = PlanOutcome()
    let encoder = jsonEncoder(.pretty)
    for run in runs {
        let runURL = runsURL.appendingPathComponent(run.id, isDirectory: true)
        switch RunFolder.standing(of: runURL, for: run.spec) {
        case .finished, .pending: outcome.unchanged.append(run.id)
        case .finishedOtherwise: outcome.staleFinished.append(run.id)
        case .empty:
            outcome.added.append(run.id)
            try RunFolder.write(run.spec, in: runURL)
        case .changed:
            outcome.updated.append(run.id)
            try RunFolder.write(run.spec, in: runURL)
        }
    }
    let planned = Set(runs.map(\.id))
    let present = (try? manager.contentsOfDirectory(atPath: runsURL.path)) ?? []
    outcome.removed = present.filter { !$0.hasPrefix(".") && !planned.contains($0) }.sorted()
    outcome.total = runs.count
    let plan = SweepPlan(sweepFile: fileURL.path, axes: sweep.axes.map(\.key), runs: runs, removed: outcome.removed)
    let planURL = folderURL.appendingPathComponent("plan.json")
    let planData = try encoder.encode(plan) + Data("\n".utf8)
    if (try? Data(contentsOf: planURL)) != planData { try writeAtomically(planData, to: planURL) }
    return (plan, outcome)
}
