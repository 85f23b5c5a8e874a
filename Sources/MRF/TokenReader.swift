import RealModule

/// Whitespace-separated tokens of a text file, each with its 1-based line number, for the model
/// readers: every read names what it expected, so a malformed file gives `file:line: expected …`.
/// Lines whose first non-blank character is `#` are comments.
struct TokenReader {
    let file: String
    private var tokens: [(text: Substring, line: Int)] = []
    private var position = 0
    private let lastLine: Int

    init(text: String, file: String) {
        self.file = file
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.first(where: { !$0.isWhitespace }) == "#" { continue }
            for token in line.split(whereSeparator: \.isWhitespace) { tokens.append((token, lineNumber)) }
        }
        lastLine = tokens.last?.line ?? 1
    }

    /// The line of the next token (at the end of the file, the line of the last token).
    var line: Int { position < tokens.count ? tokens[position].line : lastLine }
    var isAtEnd: Bool { position >= tokens.count }
    /// Tokens not yet read.
    var remaining: Int { tokens.count - position }

    /// An error at the next token.
    func failure(_ expected: String) -> MRFError {
        .malformedFile(file: file, line: line, expected: expected,
                       found: isAtEnd ? "the end of the file" : "'\(tokens[position].text)'")
    }

    /// The next token, which must exist.
    mutating func word(_ expected: String) throws(MRFError) -> Substring {
        guard !isAtEnd else { throw failure(expected) }
        defer { position += 1 }
        return tokens[position].text
    }

    /// The next token as an integer in `range`.
    mutating func integer(_ expected: String, in range: ClosedRange<Int> = 0 ... Int.max) throws(MRFError) -> Int {
        guard !isAtEnd, let value = Int(tokens[position].text), range.contains(value) else { throw failure(expected) }
        position += 1
        return value
    }

    /// The next token as a finite number ≥ 0 (a potential).
    mutating func potential(_ expected: String) throws(MRFError) -> Double {
        guard !isAtEnd, let value = Double(tokens[position].text), value.isFinite, value >= 0 else { throw failure(expected) }
        position += 1
        return value
    }

    /// Requires that nothing but whitespace and comments follow.
    func expectEnd() throws(MRFError) {
        guard isAtEnd else { throw failure("the end of the file") }
    }
}

/// θ = −log ψ, with ψ = 0 ↦ +∞.
func energy(ofPotential p: Double) -> Double { p > 0 ? -Double.log(p) : .infinity }
/// ψ = exp(−θ), with θ = +∞ ↦ 0.
func potential(ofEnergy e: Double) -> Double { Double.exp(-e) }
