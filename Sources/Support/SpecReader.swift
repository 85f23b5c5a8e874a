/// Reads typed settings out of a `SpecText`, each with its default and validity rule, and reports
/// keys nobody asked for. The one reader behind MRF algorithms, training methods and learning-rate
/// schedules, so every spec error reads the same way:
///
/// - a bad value: `WHAT 'NAME': KEY=VALUE is invalid; KEY must be REQUIREMENT`
/// - an unknown key: `WHAT 'NAME' has no setting 'KEY'; it takes A, B, C` (or `it takes no settings`)
///
/// Each module throws its own error type: `makeError` turns the message into it.
public struct SpecReader<Failure: Error> {
    /// The spec being read.
    public let spec: SpecText
    private let what: String
    private let makeError: (String) -> Failure
    private var used: [String] = []

    /// A reader of `spec`; `what` names the kind of spec ("algorithm", "method", "schedule").
    public init(_ spec: SpecText, what: String, error makeError: @escaping (String) -> Failure) {
        self.spec = spec
        self.what = what
        self.makeError = makeError
    }

    private mutating func text(_ key: String) -> String? {
        if !used.contains(key) { used.append(key) }
        return spec.value(key)
    }

    private func invalid(_ key: String, _ text: String, _ requirement: String) -> Failure {
        makeError("\(what) '\(spec.name)': \(key)=\(text) is invalid; \(key) must be \(requirement)")
    }

    /// A number satisfying `isValid` (described by `requirement`, e.g. "a number > 0"); NaN never is.
    public mutating func number(_ key: String, default value: Double, _ requirement: String,
                                isValid: (Double) -> Bool) throws(Failure) -> Double {
        guard let text = text(key) else { return value }
        guard let parsed = Double(text), !parsed.isNaN, isValid(parsed) else { throw invalid(key, text, requirement) }
        return parsed
    }

    /// An integer satisfying `isValid`.
    public mutating func integer(_ key: String, default value: Int, _ requirement: String,
                                 isValid: (Int) -> Bool) throws(Failure) -> Int {
        guard let text = text(key) else { return value }
        guard let parsed = Int(text), isValid(parsed) else { throw invalid(key, text, requirement) }
        return parsed
    }

    /// `true` or `false`.
    public mutating func flag(_ key: String, default value: Bool) throws(Failure) -> Bool {
        guard let text = text(key) else { return value }
        guard let parsed = Bool(text) else { throw invalid(key, text, "true or false") }
        return parsed
    }

    /// The text of `key` as written, or nil (for values with their own syntax, e.g. `at=100:200`).
    public mutating func string(_ key: String) -> String? { text(key) }

    /// One of an enumeration's raw values.
    public mutating func choice<E: RawRepresentable<String> & CaseIterable>(_ key: String, default value: E) throws(Failure) -> E {
        guard let text = text(key) else { return value }
        guard let parsed = E(rawValue: text) else {
            throw invalid(key, text, "one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return parsed
    }

    /// An error in this reader's style, for checks across several settings.
    public func error(_ problem: String) -> Failure { makeError("\(what) '\(spec.name)': \(problem)") }

    /// Throws if the spec sets a key that was never read, naming the keys that were.
    public func finish() throws(Failure) {
        guard let unknown = spec.settings.first(where: { !used.contains($0.key) }) else { return }
        let takes = used.isEmpty ? "it takes no settings" : "it takes \(used.joined(separator: ", "))"
        throw makeError("\(what) '\(spec.name)' has no setting '\(unknown.key)'; \(takes)")
    }
}
