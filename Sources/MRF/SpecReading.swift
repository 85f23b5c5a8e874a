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
