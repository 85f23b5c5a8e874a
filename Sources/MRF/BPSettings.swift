import Support

/// Settings of loopy belief propagation, as text `bp[inference=sum,schedule=sequential,damping=0,maxiter=100,tol=1e-09]`.
///
/// - `inference`: `sum` (sum-product: marginals and the Bethe log Z) or `max` (max-product: a labelling).
/// - `schedule`: `sequential` (variables in index order, each sending all its messages from the
///   latest ones) or `parallel` (flooding: every message from the previous iteration's, split over the cores).
/// - `damping` α ∈ [0,1): m ← (1−α)·new + α·old. `maxiter`, and `tol` on the largest message change.
public struct BPSettings: Equatable, Sendable, CustomStringConvertible {
    /// Sum-product (marginals, Bethe log Z) or max-product (a labelling).
    public enum Inference: String, CaseIterable, Sendable { case sum, max }
    /// In-place variable by variable, or flooding from the previous iteration's messages.
    public enum Schedule: String, CaseIterable, Sendable { case sequential, parallel }

    /// `inference`.
    public var inference: Inference = .sum
    /// `schedule`.
    public var schedule: Schedule = .sequential
    /// `damping` α ∈ [0, 1).
    public var damping = 0.0
    /// `maxiter`.
    public var maxIterations = 100
    /// `tol`: stop once the largest message change is below it.
    public var tolerance = 1e-9

    /// The defaults.
    public init() {}

    /// Settings from a property string named `bp`.
    public init(_ spec: SpecText) throws(MRFError) {
        guard spec.name == "bp" else { throw .invalidSpec("'\(spec.name)' is not bp") }
        var reader = SpecReader<MRFError>(spec)
        inference = try reader.choice("inference", default: inference)
        schedule = try reader.choice("schedule", default: schedule)
        damping = try reader.number("damping", default: damping, "in [0, 1)") { $0 >= 0 && $0 < 1 }
        maxIterations = try reader.integer("maxiter", default: maxIterations, "an integer ≥ 0") { $0 >= 0 }
        tolerance = try reader.number("tol", default: tolerance, "a number ≥ 0") { $0 >= 0 }
        try reader.finish()
    }

    /// The canonical spec text, e.g. `bp[inference=max]`; parses back to equal settings.
    public var description: String {
        let d = BPSettings()
        return canonicalSpec("bp", [
            ("inference", inference.rawValue, inference == d.inference), ("schedule", schedule.rawValue, schedule == d.schedule),
            ("damping", "\(damping)", damping == d.damping), ("maxiter", "\(maxIterations)", maxIterations == d.maxIterations),
            ("tol", "\(tolerance)", tolerance == d.tolerance),
        ])
    }
}
