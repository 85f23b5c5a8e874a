/// JSON text written straight into a byte buffer, for outputs too large for Foundation's
/// `JSONEncoder` to be quick (a model's marginals: 65 536 × 4 numbers).
///
/// The text is byte for byte what `jsonEncoder()` writes for the same finite values, provided
/// objects list their keys in increasing order: a Double is
/// Swift's shortest round-trip form (`description`, so `Double(text) == x`) without a trailing
/// `.0`; strings escape `"`, `\`, and the control characters (`\b \f \n \r \t`, others as
/// `\u00XX`), leaving everything else, `/` included, as UTF-8.
public struct JSONWriter {
    /// The text written so far, UTF-8.
    public private(set) var bytes: [UInt8] = []

    /// An empty writer.
    public init() {}

    /// A finite number; a non-finite one as `null`.
    public mutating func number(_ x: Double) {
        guard x.isFinite else { return append("null") }
        let text = x.description
        append(text.hasSuffix(".0") ? text.dropLast(2) : text[...])
    }

    /// An integer.
    public mutating func integer(_ x: Int) { append(x.description) }

    /// A string, quoted and escaped.
    public mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), byte]
            case 0x08: append("\\b")
            case 0x0C: append("\\f")
            case 0x0A: append("\\n")
            case 0x0D: append("\\r")
            case 0x09: append("\\t")
            case 0 ..< 0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `[e₀,e₁,…]`, each element written by `element`.
    public mutating func array<Elements: Sequence>(_ elements: Elements, _ element: (inout JSONWriter, Elements.Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (k, value) in elements.enumerated() {
            if k > 0 { bytes.append(UInt8(ascii: ",")) }
            element(&self, value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// `{"k₀":v₀,…}` with the keys in the order given (list them increasing to match `.sortedKeys`).
    /// A field whose writer is nil is left out, as synthesized `Encodable` leaves out a nil optional.
    public mutating func object(_ fields: [(key: String, value: ((inout JSONWriter) -> Void)?)]) {
        bytes.append(UInt8(ascii: "{"))
        var first = true
        for field in fields {
            guard let value = field.value else { continue }
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            string(field.key)
            bytes.append(UInt8(ascii: ":"))
            value(&self)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    private mutating func append(_ text: some StringProtocol) { bytes.append(contentsOf: text.utf8) }
}
