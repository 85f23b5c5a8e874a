/// The sizes of a matrix product C = A·B with A m×k, B k×n, C m×n.
public struct GemmShape: Hashable, Sendable, CustomStringConvertible {
    /// Rows of A and C.
    public let m: Int
    /// Columns of B and C.
    public let n: Int
    /// Columns of A, rows of B.
    public let k: Int

    /// A product of the given sizes.
    /// - Precondition: every size is positive.
    public init(m: Int, n: Int, k: Int) {
        precondition(m > 0 && n > 0 && k > 0, "GemmShape: sizes must be positive")
        (self.m, self.n, self.k) = (m, n, k)
    }

    /// Floating-point operations of the product, 2·m·n·k (one multiply and one add per term).
    public var flops: Double { 2 * Double(m) * Double(n) * Double(k) }

    /// `MxNxK`, e.g. `100x300x784`.
    public var description: String { "\(m)x\(n)x\(k)" }
}
