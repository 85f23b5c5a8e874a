/// One named dataset of a data file: blocks of rows, one value per column of the file.
///
/// In the file a dataset is preceded by a `# name` line (so gnuplot's `index "name"` selects it)
/// and its blocks are separated by single blank lines, which gnuplot draws as separate curves or
/// surface scan lines of the same dataset.
public struct NamedDataset: Equatable, Sendable {
    /// The name selected by `index "name"`; see `DataFile` for the rules it must follow.
    public var name: String
    /// The blocks of the dataset, each a list of rows.
    public var blocks: [[[Double]]]

    /// Creates a dataset of several blocks.
    public init(name: String, blocks: [[[Double]]]) {
        self.name = name
        self.blocks = blocks
    }

    /// Creates a dataset of one block.
    public init(name: String, rows: [[Double]]) {
        self.init(name: name, blocks: [rows])
    }
}
