/// A dense m×d matrix stored row-major and contiguously: one row per variable (or weight), one
/// column per quantization level. This is the layout of `u` and `ũ` everywhere in PMFKit.
public struct RowMatrix<Scalar: SimplexScalar>: Equatable, Sendable {
    /// Number of rows m (variables or weights).
    public let rows: Int
    /// Number of columns d (levels per variable).
    public let columns: Int
    /// The entries, row after row; `storage[r * columns + c]` is entry (r, c).
    public var storage: [Scalar]

    /// A matrix with every entry equal to `value`.
    public init(rows: Int, columns: Int, repeating value: Scalar = 0) {
        precondition(rows >= 0 && columns >= 1, "RowMatrix needs rows ≥ 0 and columns ≥ 1")
        self.rows = rows
        self.columns = columns
        self.storage = Array(repeating: value, count: rows * columns)
    }

    /// A matrix over existing row-major entries; `storage.count` must be `rows * columns`.
    public init(rows: Int, columns: Int, storage: [Scalar]) {
        precondition(columns >= 1 && storage.count == rows * columns,
                     "RowMatrix storage holds \(storage.count) entries, expected \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// A matrix from an array of equally long rows.
    public init(_ rowArrays: [[Scalar]]) {
        precondition(!rowArrays.isEmpty, "RowMatrix needs at least one row to infer its width")
        let width = rowArrays[0].count
        precondition(rowArrays.allSatisfy { $0.count == width }, "RowMatrix rows differ in length")
        self.init(rows: rowArrays.count, columns: width, storage: rowArrays.flatMap { $0 })
    }

    /// Entry (row, column).
    @inlinable
    public subscript(row: Int, column: Int) -> Scalar {
        get { storage[row * columns + column] }
        set { storage[row * columns + column] = newValue }
    }

    /// A copy of one row.
    @inlinable
    public func row(_ index: Int) -> [Scalar] {
        Array(storage[index * columns ..< (index + 1) * columns])
    }

    /// The rows as separate arrays.
    public var rowArrays: [[Scalar]] { (0 ..< rows).map(row) }
}
