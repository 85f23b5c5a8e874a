/// Small operations on `pmf train --method` spec text such as `pmf[rho=1.2,every=100]`, written
/// here so this target does not depend on the quantized-training module.
enum MethodSpecText {
    /// The name before any `[`: `pmf[rho=1.2]` → `pmf`.
    static func baseName(_ spec: String) -> String {
        String(spec.prefix { $0 != "[" })
    }

    /// The methods whose β is annealed by `every`.
    static let annealed: Set<String> = ["pmf", "pgd", "md"]

    /// `spec` with `every=N` added when the method anneals β and the spec does not set it already:
    /// `pmf` → `pmf[every=2]`, `pmf[rho=1.1]` → `pmf[rho=1.1,every=2]`.
    static func withAnnealing(_ spec: String, every: Int) -> String {
        guard annealed.contains(baseName(spec)), !spec.contains("every=") else { return spec }
        if spec.hasSuffix("]") { return spec.dropLast() + ",every=\(every)]" }
        return spec + "[every=\(every)]"
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
