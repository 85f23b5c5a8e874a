import Gnuplot

extension DataFile {
    /// A copy in which every value ≤ 0 of the columns `names` is NaN (written as missing), so a
    /// log-scaled axis gets only points it can draw instead of a gnuplot warning; datasets left with
    /// no positive value in some named column are dropped.
    public func positive(in names: [String]) -> DataFile {
        let numbers = names.compactMap { columnNumber(named: $0) }.map { $0 - 1 }
        var copy = self
        copy.datasets = datasets.compactMap { dataset in
            let blocks = dataset.blocks.map { block in
                block.map { row in
                    row.enumerated().map { numbers.contains($0.offset) && !($0.element > 0) ? .nan : $0.element }
                }
            }
            let drawable = numbers.allSatisfy { column in blocks.joined().contains { $0[column].isFinite } }
            return drawable ? NamedDataset(name: dataset.name, blocks: blocks) : nil
        }
        return copy
    }
}
