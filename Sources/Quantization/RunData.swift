import NeuralNet

/// The images of one run: the training split (cut to the run's `limit`), the validation split held
/// out of it, and the test set.
public struct RunData: Sendable {
    public var train: Dataset
    public var validation: Dataset
    public var test: Dataset

    /// Loads `config`'s dataset from `config.data`, else from the dataset's default folder (MNIST's
    /// cache, Fashion-MNIST's package folder: `DatasetKind.folder(given:)`), holds out the dataset's
    /// validation fraction and keeps the first `limit` training images (at least one batch).
    /// - Throws: the `DataError` of `DatasetKind.folder(given:)` (no folder given and no usable
    ///   default) or of the reader (naming the file).
    public init(_ config: RunConfig) throws {
        let kind = try config.kinds().dataset
        let folder = try kind.folder(given: config.data)
        let (full, test) = try kind.load(from: folder)
        (train, validation) = full.splitValidation(fraction: kind.validationFraction)
        self.test = test
        if let limit = config.limit { train = train.slice(0 ..< min(max(limit, config.batchSize), train.count)) }
    }
}
