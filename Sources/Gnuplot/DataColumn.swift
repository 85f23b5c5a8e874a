/// One column of a data file: a name that figures refer to and the unit of its values, both
/// written into the file's header as `name [unit]`.
public struct DataColumn: Equatable, Sendable {
    /// The column's name, unique within its file, e.g. `epoch` or `train loss`.
    public var name: String
    /// The unit of the values, e.g. `nats` or `%`; `nil` for a dimensionless count.
    public var unit: String?

    /// Creates a column; the name must be non-empty and neither field may contain a line break
    /// (checked when the file is written).
    public init(_ name: String, unit: String? = nil) {
        self.name = name
        self.unit = unit
    }

    /// `name [unit]`, or `name` alone when there is no unit.
    var headerText: String { unit.map { "\(name) [\($0)]" } ?? name }
}
