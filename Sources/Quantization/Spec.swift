import Foundation
import NeuralNet
import Support

/// A configuration error a user can fix: an unknown method, a bad key, a bad value, a level set a
/// method cannot use, a malformed checkpoint or export. The message names the problem and the fix.
public struct QuantizationError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension SpecReader<QuantizationError> {
    /// A reader of `text` parsed with the shared grammar; `what` names the kind of spec in errors.
    init(parsing text: String, what: String) throws(QuantizationError) {
        let spec: SpecText
        do { spec = try SpecText(parsing: text, what: what) } catch { throw QuantizationError(error.description) }
        self.init(spec, what: what) { QuantizationError($0) }
    }
}

extension LearningRateSchedule {
    /// Parses the text `description` prints: `constant`, `step[every=7000,factor=0.2]`,
    /// `multistep[at=100:200,factor=0.1]`, `exponential[gamma=0.999]`.
    public init(parsing text: String) throws(QuantizationError) {
        var reader = try SpecReader<QuantizationError>(parsing: text, what: "schedule")
        let positive = { (x: Double) in x > 0 && x.isFinite }
        switch reader.spec.name {
        case "constant":
            self = .constant
        case "step":
            self = .step(every: try reader.integer("every", default: 7000, "an integer ≥ 1") { $0 >= 1 },
                         factor: try reader.number("factor", default: 0.2, "a number > 0", isValid: positive))
        case "multistep":
            let at = reader.string("at") ?? ""
            let milestones = at.split(separator: ":").compactMap { Int($0) }
            guard !milestones.isEmpty, milestones.count == at.split(separator: ":").count else {
                throw reader.error("at=\(at) is invalid; at must be whole iteration numbers I:J:…")
            }
            self = .multiStep(milestones: milestones, factor: try reader.number("factor", default: 0.2, "a number > 0", isValid: positive))
        case "exponential":
            self = .exponential(gamma: try reader.number("gamma", default: 1, "a number > 0", isValid: positive))
        default:
            throw QuantizationError("unknown schedule '\(reader.spec.name)'; use constant, step[every=N,factor=F], multistep[at=I:J,factor=F] or exponential[gamma=G]")
        }
        try reader.finish()
    }
}

extension BatchNormEvaluation {
    /// Parses the text `description` prints: `running`, `reestimate[batches=20]` (`reestimate`
    /// alone re-estimates over 20 batches).
    public init(parsing text: String) throws(QuantizationError) {
        var reader = try SpecReader<QuantizationError>(parsing: text, what: "BatchNorm evaluation")
        switch reader.spec.name {
        case "running": self = .running
        case "reestimate": self = .reestimate(batches: try reader.integer("batches", default: 20, "an integer ≥ 1") { $0 >= 1 })
        default: throw QuantizationError("unknown BatchNorm evaluation '\(reader.spec.name)'; use running or reestimate[batches=N]")
        }
        try reader.finish()
    }
}
