import Foundation
import Support

/// Whether `x` is within `tolerance` of `y`, relative to the larger magnitude (and at least 1).
func close(_ x: Double, _ y: Double, tolerance: Double = 1e-12) -> Bool {
    abs(x - y) <= tolerance * max(1, abs(x), abs(y))
}

/// The JSON object `value` encodes to, as a dictionary.
func jsonObject(_ value: some Encodable) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: jsonEncoder().encode(value)) as? [String: Any] ?? [:]
}
