import Foundation

/// How a JSON file is laid out: one line, or indented for reading.
public enum JSONLayout: Sendable {
    case line, pretty
}

/// The one JSON set-up of PMFKit's files and printed output: keys sorted (so equal values give
/// equal bytes), `/` left unescaped, and non-finite numbers as the strings `"inf"`, `"-inf"` and
/// `"nan"`, which `jsonDecoder()` reads back.
public func jsonEncoder(_ layout: JSONLayout = .line) -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = layout == .pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return encoder
}

/// The reader of what `jsonEncoder` writes.
public func jsonDecoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return decoder
}

/// `value` as JSON text in `layout` (`jsonEncoder`), without a trailing newline.
public func jsonText(_ value: some Encodable, _ layout: JSONLayout = .line) throws -> String {
    String(decoding: try jsonEncoder(layout).encode(value), as: UTF8.self)
}
