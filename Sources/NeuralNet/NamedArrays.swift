/// A saved state whose entries do not fit what is restored from it: one line naming the entry.
public struct StateMismatch: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The arrays of `saved` under the names of `expected`, in `expected`'s order, when `saved` holds
/// exactly those names, each with its count of values.
/// - Throws: `StateMismatch` for the first missing name (in `expected`'s order), else the first
///   array of another size, else the first name `expected` lacks (in name order); the message calls
///   it "`group` entry NAME".
public func matchByName(_ expected: [(name: String, count: Int)], in saved: [String: [Float]],
                        group: String) throws(StateMismatch) -> [[Float]] {
    var found: [[Float]] = []
    for (name, count) in expected {
        guard let values = saved[name] else { throw StateMismatch("\(group) entry \(name) is missing") }
        guard values.count == count else {
            throw StateMismatch("\(group) entry \(name) holds \(values.count) values; this run's has \(count)")
        }
        found.append(values)
    }
    let names = Set(expected.map(\.name))
    if let extra = saved.keys.filter({ !names.contains($0) }).sorted().first {
        throw StateMismatch("\(group) entry \(extra) is not part of this run")
    }
    return found
}
