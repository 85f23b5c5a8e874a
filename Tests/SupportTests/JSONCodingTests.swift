import Foundation
import Support
import Testing

/// The one JSON set-up: sorted keys, unescaped `/`, non-finite numbers as strings read back.
@Suite struct JSONCodingTests {
    struct Value: Codable, Equatable {
        var path: String
        var x: [Double]
        var a: Int
    }

    @Test func sortedKeysUnescapedSlashesAndNonFiniteNumbersRoundTrip() throws {
        let value = Value(path: "runs/mnist", x: [1.5, .infinity, -.infinity, .nan], a: 2)
        #expect(try jsonText(value) == #"{"a":2,"path":"runs/mnist","x":[1.5,"inf","-inf","nan"]}"#)
        #expect(try jsonText(value, .pretty).split(separator: "\n").count == 10)
        let back = try jsonDecoder().decode(Value.self, from: try jsonEncoder(.pretty).encode(value))
        #expect(back.path == value.path && back.a == 2 && back.x[..<3] == value.x[..<3] && back.x[3].isNaN)
    }
}
