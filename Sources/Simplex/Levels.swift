/// The quantization level set Q, sorted ascending, as the vector q ∈ Rᵈ.
///
/// A weight w takes a value in Q; lifted, it is a one-hot row u ∈ {0,1}ᵈ with w = ⟨u, q⟩, and the
/// relaxation lets u range over the simplex so that ⟨u, q⟩ = E_u[w] (docs/paper-notes.md §1).
public struct QuantizationLevels: Equatable, Sendable, CustomStringConvertible {
    /// The levels q₁ < q₂ < … < q_d.
    public let values: [Double]

    /// Levels from a list; they must be finite, strictly increasing, and at least two.
    public init(_ values: [Double]) throws(SimplexError) {
        guard values.count >= 2 else { throw .invalidLevels("a level set needs at least two values, got \(values)") }
        guard values.allSatisfy(\.isFinite) else { throw .invalidLevels("levels must be finite numbers, got \(values)") }
        guard zip(values, values.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw .invalidLevels("levels must be strictly increasing, got \(values); sort them and remove repeats")
        }
        self.values = values
    }

    /// Q = {−1, 1}.
    public static let binary = try! QuantizationLevels([-1, 1])
    /// Q = {−1, 0, 1}.
    public static let ternary = try! QuantizationLevels([-1, 0, 1])

    /// The reference code's k-level set: the integers −⌊k/2⌋ … ⌊k/2⌋, with 0 dropped when k is even,
    /// so that there are exactly k levels: k=2 → {−1,1}, k=3 → {−1,0,1}, k=4 → {−2,−1,1,2}.
    public static func kLevel(_ k: Int) throws(SimplexError) -> QuantizationLevels {
        guard k >= 2 else { throw .invalidLevels("k-level sets need k ≥ 2, got k=\(k)") }
        let half = k / 2
        let integers = (-half ... half).filter { k % 2 == 1 || $0 != 0 }
        return try QuantizationLevels(integers.map(Double.init))
    }

    /// Parses a level-set name: `binary`, `ternary`, `kN` (e.g. `k4`), or an explicit
    /// comma-separated list such as `-1,0,1`.
    public init(name: String) throws(SimplexError) {
        switch name {
        case "binary": self = .binary
        case "ternary": self = .ternary
        case let n where n.first == "k" && Int(n.dropFirst()) != nil:
            self = try .kLevel(Int(n.dropFirst())!)
        default:
            let parts = name.split(separator: ",", omittingEmptySubsequences: false)
            let numbers = parts.compactMap { Double(String($0.filter { !$0.isWhitespace })) }
            guard parts.count >= 2, numbers.count == parts.count else {
                throw .invalidLevels(
                    "unknown level set '\(name)'; use binary, ternary, kN (e.g. k4) or a list like -1,0,1")
            }
            try self.init(numbers)
        }
    }

    /// The canonical name `init(name:)` reads back: `binary`, `ternary`, `kN` for the other k-level
    /// sets, else the comma-separated list (`-1,-0.5,0.5,1`).
    public var name: String {
        if self == .binary { return "binary" }
        if self == .ternary { return "ternary" }
        if let k = try? Self.kLevel(count), k == self { return "k\(count)" }
        return values.map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int($0)) : String($0) }.joined(separator: ",")
    }

    /// d = |Q|.
    public var count: Int { values.count }

    /// q as a vector of the requested scalar type.
    @inlinable
    public func vector<T: SimplexScalar>(_: T.Type = T.self) -> [T] { values.map { T($0) } }

    /// The lifted value w = ⟨u, q⟩ of one row (the expectation of w under u when u is on the simplex).
    @inlinable
    public func lift<T: SimplexScalar>(_ row: some Collection<T>) -> T {
        precondition(row.count == count, "a row of \(row.count) entries cannot be lifted with \(count) levels")
        return zip(row, values).reduce(T(0)) { $0 + $1.0 * T($1.1) }
    }

    /// w = u q for every row of u.
    @inlinable
    public func lift<T: SimplexScalar>(_ u: RowMatrix<T>) -> [T] {
        precondition(u.columns == count, "u has \(u.columns) columns but there are \(count) levels")
        return (0 ..< u.rows).map { r in lift(u.storage[r * count ..< (r + 1) * count]) }
    }

    /// The simplex vertex (one-hot row) of level number `index`.
    @inlinable
    public func vertex<T: SimplexScalar>(ofLevel index: Int, as _: T.Type = T.self) -> [T] {
        precondition(values.indices.contains(index), "level index \(index) out of 0..<\(count)")
        return values.indices.map { $0 == index ? 1 : 0 }
    }

    /// The index of the level nearest to w (the lower one on an exact tie).
    public func nearestLevelIndex(to w: Double) -> Int {
        values.indices.min { abs(values[$0] - w) < abs(values[$1] - w) }!
    }

    /// The level values in order, e.g. `{-1, 1}`.
    public var description: String {
        "{" + values.map { $0 == $0.rounded() ? String(Int($0)) : String($0) }.joined(separator: ", ") + "}"
    }
}
