import Foundation
import NeuralNet
import Support

/// A configuration error a user can fix: an unknown method, a bad key, a bad value, a level set a
/// method cannot use, a malformed checkpoint or export. The message names the problem and the fix.
public struct QuantizationError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Typed reading of a spec's settings, with this module's errors.
extension SpecText {
    /// Parses `text` with the shared grammar; `what` names the kind of spec in errors.
    init(quantization text: String, what: String) throws(QuantizationError) {
        do { try self.init(parsing: text, what: what) } catch { throw QuantizationError(error.description) }
    }

    /// Rejects keys outside `allowed`, naming the allowed ones.
    func check(allowed: [String], what: String) throws(QuantizationError) {
        for (key, _) in settings where !allowed.contains(key) {
            let hint = allowed.isEmpty ? "\(name) takes no settings" : "\(name) takes \(allowed.joined(separator: ", "))"
            throw QuantizationError("unknown key '\(key)' in \(what) '\(name)'; \(hint)")
        }
    }

    func double(_ key: String, default fallback: Double, what: String,
                valid: (Double) -> Bool = { $0.isFinite }, rule: String = "a finite number") throws(QuantizationError) -> Double {
        guard let text = value(key) else { return fallback }
        guard let number = Double(text), valid(number) else {
            throw QuantizationError("\(what) '\(name)': \(key)=\(text) is not valid; \(key) must be \(rule)")
        }
        return number
    }

    func integer(_ key: String, default fallback: Int, what: String) throws(QuantizationError) -> Int {
        guard let text = value(key) else { return fallback }
        guard let number = Int(text), number >= 1 else {
            throw QuantizationError("\(what) '\(name)': \(key)=\(text) is not valid; \(key) must be a whole number ≥ 1")
        }
        return number
    }
}

/// The shortest text for a setting's number: integers without ".0", others as Swift prints them.
func settingText(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
    return "\(x)"
}


extension LearningRateSchedule {
    /// Parses the text `description` prints: `constant`, `step[every=7000,factor=0.2]`,
    /// `multistep[at=100:200,factor=0.1]`, `exponential[gamma=0.999]`.
    public init(parsing text: String) throws(QuantizationError) {
        let spec = try SpecText(quantization: text, what: "schedule")
        let what = "schedule"
        switch spec.name {
        case "constant":
            try spec.check(allowed: [], what: what)
            self = .constant
        case "step":
            try spec.check(allowed: ["every", "factor"], what: what)
            self = .step(every: try spec.integer("every", default: 7000, what: what),
                         factor: try spec.double("factor", default: 0.2, what: what, valid: { $0 > 0 && $0.isFinite }, rule: "positive"))
        case "multistep":
            try spec.check(allowed: ["at", "factor"], what: what)
            let at = spec.value("at") ?? ""
            let milestones = at.split(separator: ":").compactMap { Int($0) }
            guard !milestones.isEmpty, milestones.count == at.split(separator: ":").count else {
                throw QuantizationError("schedule 'multistep' needs at=I:J:… with whole iteration numbers, got '\(at)'")
            }
            self = .multiStep(milestones: milestones,
                              factor: try spec.double("factor", default: 0.2, what: what, valid: { $0 > 0 && $0.isFinite }, rule: "positive"))
        case "exponential":
            try spec.check(allowed: ["gamma"], what: what)
            self = .exponential(gamma: try spec.double("gamma", default: 1, what: what, valid: { $0 > 0 && $0.isFinite }, rule: "positive"))
        default:
            throw QuantizationError("unknown schedule '\(spec.name)'; use constant, step[every=N,factor=F], multistep[at=I:J,factor=F] or exponential[gamma=G]")
        }
    }
}
