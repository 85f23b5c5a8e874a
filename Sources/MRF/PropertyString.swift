import Foundation

/// An algorithm with its settings as one line of text, libDAI style: `name[key=value,key=value]`,
/// e.g. `pmf[eta=0.5,beta=1,rho=1.05,every=10]`. A bare `name` means every setting at its default.
public struct PropertyString: Equatable, Sendable, CustomStringConvertible {
    /// The algorithm name (`mf`, `pmf`, `bp`, …).
    public let name: String
    /// The settings in the order written; keys are distinct.
    public let properties: [(key: String, value: String)]

    /// Creates `name[key=value,…]` from its parts; keys must be distinct.
    public init(name: String, properties: [(key: String, value: String)]) {
        self.name = name
        self.properties = properties
    }

    /// Parses `name` or `name[k=v,…]`; throws `.invalidSpec` for a missing `]`, a pair without `=`,
    /// an empty key or value, or a repeated key.
    public init(parsing text: String) throws(MRFError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let open = trimmed.firstIndex(of: "[") else {
            guard !trimmed.isEmpty, trimmed.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw .invalidSpec("'\(text)' is not an algorithm spec; write a name such as pmf or name[key=value,…] such as pmf[eta=0.5,beta=1]")
            }
            self.init(name: trimmed, properties: [])
            return
        }
        guard trimmed.last == "]" else {
            throw .invalidSpec("'\(text)' has no closing ']'; write name[key=value,…]")
        }
        let name = String(trimmed[..<open])
        let body = trimmed[trimmed.index(after: open) ..< trimmed.index(before: trimmed.endIndex)]
        var properties: [(key: String, value: String)] = []
        for pair in body.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            guard parts.count == 2, !key.isEmpty, !parts[1].trimmingCharacters(in: .whitespaces).isEmpty else {
                throw .invalidSpec("'\(pair)' in '\(text)' is not a key=value setting")
            }
            guard !properties.contains(where: { $0.key == key }) else {
                throw .invalidSpec("'\(text)' sets \(key) twice; give each setting once")
            }
            properties.append((key, parts[1].trimmingCharacters(in: .whitespaces)))
        }
        guard !name.isEmpty else { throw .invalidSpec("'\(text)' has no algorithm name before '['") }
        self.init(name: name, properties: properties)
    }

    /// `name` alone when there are no properties, else `name[key=value,…]` in the stored order.
    public var description: String {
        properties.isEmpty ? name : name + "[" + properties.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "]"
    }

    /// Equal names and equal properties in the same order.
    public static func == (a: PropertyString, b: PropertyString) -> Bool {
        a.name == b.name && a.properties.map(\.key) == b.properties.map(\.key) && a.properties.map(\.value) == b.properties.map(\.value)
    }
}

/// Reads typed settings out of a `PropertyString`, each with its default and validity rule, and
/// reports keys nobody asked for. Errors name the algorithm, the key, the value and what is allowed.
struct SettingsReader {
    private let spec: PropertyString
    private var used: Set<String> = []

    init(_ spec: PropertyString) { self.spec = spec }

    private mutating func text(_ key: String) -> String? {
        used.insert(key)
        return spec.properties.first { $0.key == key }?.value
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
        if let unknown = spec.properties.first(where: { !used.contains($0.key) }) {
            throw .invalidSpec("\(spec.name) has no setting '\(unknown.key)'; it understands \(used.sorted().joined(separator: ", "))")
        }
    }
}

/// `name[k=v,…]` listing only the settings that differ from their defaults (so a bare name is the
/// default algorithm, and parsing the text gives back the same settings).
func canonicalSpec(_ name: String, _ settings: [(key: String, value: String, isDefault: Bool)]) -> String {
    PropertyString(name: name, properties: settings.filter { !$0.isDefault }.map { ($0.key, $0.value) }).description
}
