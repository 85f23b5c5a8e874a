/// `text` as a double-quoted gnuplot string literal: backslashes and double quotes are escaped
/// and a line break becomes `\n`, so gnuplot reads back exactly `text` (scripts use
/// `noenhanced` text, so no other character is special).
func quoted(_ text: String) -> String {
    var result = "\""
    for character in text {
        switch character {
        case "\\": result += "\\\\"
        case "\"": result += "\\\""
        case "\n": result += "\\n"
        default: result.append(character)
        }
    }
    return result + "\""
}

/// Whether `name` is usable as a file or dataset name: non-empty, starting with a letter or
/// digit, and made only of ASCII letters, digits, `_`, `-`, `.`, `+` and `=`.
func isPlainName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, first.isASCIIAlphanumeric else { return false }
    return name.unicodeScalars.allSatisfy { $0.isASCIIAlphanumeric || "_-.+=".unicodeScalars.contains($0) }
}

extension Unicode.Scalar {
    /// Whether the scalar is an ASCII letter or digit.
    var isASCIIAlphanumeric: Bool {
        ("a" ... "z").contains(self) || ("A" ... "Z").contains(self) || ("0" ... "9").contains(self)
    }
}
