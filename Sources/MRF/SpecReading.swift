import RealModule
import Support

extension SpecReader<MRFError> {
    /// A reader of an algorithm's spec whose errors are `MRFError.invalidSpec`.
    init(_ spec: SpecText) {
        self.init(spec, what: "algorithm") { MRFError.invalidSpec($0) }
    }
}

/// `name[k=v,…]` listing only the settings that differ from their defaults (so a bare name is the
/// default algorithm, and parsing the text gives back the same settings).
func canonicalSpec(_ name: String, _ settings: [(key: String, value: String, isDefault: Bool)]) -> String {
    SpecText(name: name, settings: settings.filter { !$0.isDefault }.map { ($0.key, $0.value) }).description
}

extension SpecReader<MRFError> {
    /// A byte count ≥ 1: a number with an optional binary unit K, M, G, T or P (also written KiB, KB, …;
    /// 1K = 1024), e.g. `maxbytes=6G`. Returns nil when the key is not set.
    mutating func bytes(_ key: String) throws(MRFError) -> Double? {
        guard let text = string(key) else { return nil }
        var digits = Substring(text)
        var factor = 1.0
        for suffix in ["iB", "B"] where digits.hasSuffix(suffix) { digits = digits.dropLast(suffix.count); break }
        if let unit = digits.last, let power = "KMGTP".firstIndex(of: Character(unit.uppercased())) {
            factor = Double.pow(1024, Double("KMGTP".distance(from: "KMGTP".startIndex, to: power) + 1))
            digits = digits.dropLast()
        }
        guard let value = Double(digits), value.isFinite, value * factor >= 1 else {
            throw error("\(key)=\(text) is invalid; \(key) must be a number of bytes ≥ 1, optionally with a unit K, M, G or T (1K = 1024), e.g. \(key)=8G")
        }
        return (value * factor).rounded()
    }
}
