import Foundation
import Support
import Testing

/// The hand-written JSON against Foundation's encoder set up as every file is (`jsonText`) on the same values.
@Suite struct JSONWriterTests {
    func encoded(_ value: some Encodable) throws -> String { try jsonText(value) }

    /// Doubles over the whole range (random bit patterns, powers of ten, integers, ±0, subnormals).
    @Test func numbersMatchTheEncoderAndRoundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, 1, -3, 100, 0.1, 0.25, 1e15, 1e16, 1e21, 1e-7, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 9_007_199_254_740_992]
        values += (-30 ... 30).map { Double(sign: .plus, exponentBitPattern: 1023, significandBitPattern: 0) * pow(10, Double($0)) }
        while values.count < 5000 {
            let x = Double(bitPattern: generator.next())
            if x.isFinite { values.append(x) }
        }
        var writer = JSONWriter()
        writer.array(values) { $0.number($1) }
        #expect(String(decoding: writer.bytes, as: UTF8.self) == (try encoded(values)))
        for x in values {
            var one = JSONWriter()
            one.number(x)
            #expect(Double(String(decoding: one.bytes, as: UTF8.self)) == x)
        }
    }

    /// Nested arrays, nil fields left out, null for non-finite numbers, integers, escaped strings and an object.
    @Test func structuresAndStringsMatchTheEncoder() throws {
        struct Row: Encodable { let algo: String; let energy: Double?; let map: [Int]; let marginals: [[Double]] }
        let control = String(decoding: (0 ..< 0x20).map { UInt8($0) }, as: UTF8.self)
        let rows = [Row(algo: "bp[a=1/2]\"\\é" + control, energy: nil, map: [0, 7, -2], marginals: [[0.5, 0.5], [1, 0, 1e-300]]),
                    Row(algo: "", energy: 2.5, map: [], marginals: [])]
        var writer = JSONWriter()
        writer.array(rows) { writer, row in
            writer.object([("algo", { $0.string(row.algo) }), ("energy", row.energy.map { x in { $0.number(x) } }),
                           ("map", { $0.array(row.map) { $0.integer($1) } }),
                           ("marginals", { $0.array(row.marginals) { $0.array($1) { $0.number($1) } } })])
        }
        let expected = try encoded(rows)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
        var infinite = JSONWriter()
        infinite.array([Double.infinity, -.infinity, .nan]) { $0.number($1) }
        #expect(String(decoding: infinite.bytes, as: UTF8.self) == "[null,null,null]")
    }
}
