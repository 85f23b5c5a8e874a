/// Small operations on `pmf train --method` spec text such as `pmf[rho=1.2,every=100]`: names for
/// folders, datasets and legends.
enum MethodSpecText {
    /// The name before any `[`: `pmf[rho=1.2]` → `pmf`.
    static func baseName(_ spec: String) -> String {
        String(spec.prefix { $0 != "[" })
    }

    /// A plain name for folders and dataset names: letters, digits and `.` kept, every other run of
    /// characters becomes one `-`: `pmf[rho=1.2,every=2]` → `pmf-rho-1.2-every-2`.
    static func plainName(_ spec: String) -> String {
        var result = ""
        for character in spec {
            if character.isLetter || character.isNumber || character == "." {
                result.append(character)
            } else if !result.isEmpty, result.last != "-" {
                result.append("-")
            }
        }
        return result.last == "-" ? String(result.dropLast()) : result
    }

    /// The legend text: the base name in capitals (`REF`, `PMF`) followed by any settings.
    static func title(_ spec: String) -> String {
        let base = baseName(spec)
        return base.uppercased() + spec.dropFirst(base.count)
    }
}
