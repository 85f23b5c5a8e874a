import Foundation
import RealModule
import Support

/// Reads typed settings out of an algorithm's `SpecText`, each with its default and validity rule, and
/// reports keys nobody asked for. Errors name the algorithm, the key, the value and what is allowed.
struct SettingsReader {
    private let spec: SpecText
    private var used: Set<String> = []

    init(_ spec: SpecText) { self.spec = spec }

    private mutating func text(_ key: String) -> String? {
        used.insert(key)
        return spec.value(key)
    }

    /// A number satisfying `isValid` (described by `requirement`, e.g. "a number > 0").
    mutating func number(_ key: String, default value: Double, _ requirement: String,
                         isValid: (Double) -> Bool) throws(MRFError) -> Double {
        guard let text = text(key) else { return value }
        guard let parsed = Double(text), !parsed.isNaN, isValid(parsed) else {
            throw .invalidSpec("\(spec.name): \(key)=\(text) is invalid; \(key) must be \(requirement)")
        }
        return parsed
    }

    /// An integer satisfying `isValid`.
    mutating func integer(_ key: String, default value: Int, _ requirement: String,
                          isValid: (Int) -> Bool) throws(MRFError) -> Int {
        guard let text = text(key) else { return value }
        guard let parsed = Int(text), isValid(parsed) else {
            throw .invalidSpec("\(spec.name): \(key)=\(text) is invalid; \(key) must be \(requirement)")
        }
        return parsed
    }

    /// A byte count ≥ 1: a number with an optional binary unit K, M, G, T or P (also written KiB, KB, …;
    /// 1K = 1024), e.g. `maxbytes=6G`. Returns nil when the key is not set.
    mutating func bytes(_ key: String) throws(MRFError) -> Double? {
        guard let text = text(key) else { return nil }
        var digits = Substring(text)
        var factor = 1.0
        for suffix in ["iB", "B"] where digits.hasSuffix(suffix) { digits = digits.dropLast(suffix.count); break }
        if let unit = digits.last, let power = "KMGTP".firstIndex(of: Character(unit.uppercased())) {
            factor = Double.pow(1024, Double("KMGTP".distance(from: "KMGTP".startIndex, to: power) + 1))
            digits = digits.dropLast()
        }
        guard let value = Double(digits), value.isFinite, value * factor >= 1 else {
            throw .invalidSpec("\(spec.name): \(key)=\(text) is invalid; \(key) must be a number of bytes ≥ 1, optionally with a unit K, M, G or T (1K = 1024), e.g. \(key)=8G")
        }
        return (value * factor).rounded()
    }

    /// One of an enumeration's raw values.
    mutating func choice<E: RawRepresentable<String> & CaseIterable>(_ key: String, default value: E) throws(MRFError) -> E {
        guard let text = text(key) else { return value }
        guard let parsed = E(rawValue: text) else {
            throw .invalidSpec("\(spec.name): \(key)=\(text) is invalid; use one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return parsed
    }

    /// Throws if the spec sets a key that was never read.
    func finish() throws(MRFError) {
        if let unknown = spec.settings.first(where: { !used.contains($0.key) }) {
            throw .invalidSpec("\(spec.name) has no setting '\(unknown.key)'; it understands \(used.sorted().joined(separator: ", "))")
        }
    }
}

/// `name[k=v,…]` listing only the settings that differ from their defaults (so a bare name is the
/// default algorithm, and parsing the text gives back the same settings).
func canonicalSpec(_ name: String, _ settings: [(key: String, value: String, isDefault: Bool)]) -> String {
    SpecText(name: name, settings: settings.filter { !$0.isDefault }.map { ($0.key, $0.value) }).description
}
