import Foundation
import RealModule

/// Whitespace-separated tokens of a text file, each with its 1-based line number, for the model
/// readers: every read names what it expected, so a malformed file gives `file:line: expected …`.
/// Lines whose first non-blank character is `#` are comments. What a read expected is an
/// autoclosure, built only when the read fails (a 46 MB model has millions of tokens, and
/// interpolating a message for each took more time than the parsing).
///
/// Reads the file's UTF-8 bytes directly, one token at a time (ASCII whitespace separates tokens;
/// integers are parsed from the digits, numbers by `strtod`), so a 45 MB model is read in a
/// fraction of a second instead of the seconds that Unicode-aware `String` splitting took.
struct TokenReader {
    let file: String
    private let bytes: [UInt8]
    /// The start of the next token (or `bytes.count` at the end).
    private var position = 0
    /// The line of the next token (at the end of the file, the line of the last token).
    private(set) var line = 1

    init(text: String, file: String) { self.init(bytes: Array(text.utf8), file: file) }

    /// A reader of a file's bytes as read from disk (no `String` in between).
    init(bytes: [UInt8], file: String) {
        self.file = file
        self.bytes = bytes
        skipToToken()
    }

    var isAtEnd: Bool { position >= bytes.count }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0B || byte == 0x0C }

    /// Moves past whitespace and comment lines to the next token, counting lines; at the end of
    /// the file `line` stays at the last token's line.
    private mutating func skipToToken() {
        var i = position, lines = line, atLineStart = position == 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == 0x0A {
                lines += 1
                atLineStart = true
            } else if Self.isBlank(byte) {
            } else if byte == UInt8(ascii: "#") && atLineStart {
                while i < bytes.count && bytes[i] != 0x0A { i += 1 }
                continue
            } else {
                (position, line) = (i, lines)
                return
            }
            i += 1
        }
        position = bytes.count
    }

    /// The end of the token starting at `position`.
    private var tokenEnd: Int {
        var end = position
        while end < bytes.count && bytes[end] != 0x0A && !Self.isBlank(bytes[end]) { end += 1 }
        return end
    }

    private var tokenText: Substring { String(decoding: bytes[position ..< tokenEnd], as: UTF8.self)[...] }

    private mutating func advance(to end: Int) {
        position = end
        skipToToken()
    }

    /// An error at the next token.
    func failure(_ expected: @autoclosure () -> String) -> MRFError {
        .malformedFile(file: file, line: line, expected: expected(), found: isAtEnd ? "the end of the file" : "'\(tokenText)'")
    }

    /// The next token, which must exist.
    mutating func word(_ expected: @autoclosure () -> String) throws(MRFError) -> Substring {
        guard !isAtEnd else { throw failure(expected()) }
        let text = tokenText
        advance(to: tokenEnd)
        return text
    }

    /// The next token as an integer in `range` (optional sign, decimal digits, no overflow).
    mutating func integer(_ expected: @autoclosure () -> String, in range: ClosedRange<Int> = 0 ... Int.max) throws(MRFError) -> Int {
        let end = tokenEnd
        var i = position, negative = false
        if i < end && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        guard i < end else { throw failure(expected()) }
        var value = 0
        while i < end {
            let digit = Int(bytes[i]) - 48
            guard digit >= 0 && digit <= 9 else { throw failure(expected()) }
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(negative ? -digit : digit)
            guard !overflow && !overflow2 else { throw failure(expected()) }
            value = sum
            i += 1
        }
        guard range.contains(value) else { throw failure(expected()) }
        advance(to: end)
        return value
    }

    /// The next token as a finite number ≥ 0 (a potential).
    mutating func potential(_ expected: @autoclosure () -> String) throws(MRFError) -> Double {
        let end = tokenEnd, length = end - position
        guard length > 0 && length < 128 else { throw failure(expected()) }
        let value = withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer -> Double? in
            for k in 0 ..< length { buffer[k] = CChar(bitPattern: bytes[position + k]) }
            buffer[length] = 0
            var stop: UnsafeMutablePointer<CChar>?
            let parsed = strtod(buffer.baseAddress!, &stop)
            return stop == buffer.baseAddress! + length ? parsed : nil
        }
        guard let value, value.isFinite, value >= 0 else { throw failure(expected()) }
        advance(to: end)
        return value
    }

    /// An upper bound on the tokens not yet read (each takes a byte and a separator), for capping
    /// what a header number may allocate.
    var remaining: Int { (bytes.count - position + 1) / 2 }

    /// The exact number of tokens not yet read, by scanning the rest of the file (for short files
    /// such as evidence, where the count decides the format).
    var tokensLeft: Int {
        var rest = self, count = 0
        while !rest.isAtEnd {
            rest.advance(to: rest.tokenEnd)
            count += 1
        }
        return count
    }

    /// The number of entries of a table over variables of cardinalities `cards`, computed with
    /// checked arithmetic and at most `limit` (`what` names the table in the error, which names the
    /// cardinality that takes the product past the limit or past `Int.max`).
    func tableSize(_ cards: [Int], of what: @autoclosure () -> String, limit: Int) throws(MRFError) -> Int {
        var size = 1
        for (position, card) in cards.enumerated() {
            let (product, overflow) = size.multipliedReportingOverflow(by: card)
            guard !overflow, product <= limit else {
                throw .malformedFile(file: file, line: line, expected: "a table of \(what()) of at most \(limit) entries",
                                     found: "cardinalities \(cards) (variable \(position) of the scope, cardinality \(card), takes it past the limit)")
            }
            size = product
        }
        return size
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
