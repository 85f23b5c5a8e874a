import NeuralNet

/// The images of one run: the training split (cut to the run's `limit`), the validation split held
/// out of it, and the test set.
public struct RunData: Sendable {
    public var train: Dataset
    public var validation: Dataset
    public var test: Dataset

    /// Loads `config`'s dataset from `config.data` (Fashion-MNIST defaults to its package folder),
    /// holds out the dataset's validation fraction and keeps the first `limit` training images
    /// (at least one batch).
    /// - Throws: `QuantizationError` when no folder is given for a dataset that needs one, or the
    ///   reader's `DataError` naming the file.
    public init(_ config: RunConfig) throws {
        let kind = try config.kinds().dataset
        let folder = config.data ?? (kind == .fashionMNIST ? DatasetKind.fashionMNISTPackageFolder : "")
        guard !folder.isEmpty else {
            throw QuantizationError("--dataset \(kind.rawValue) needs --data FOLDER holding \(kind.expectedFiles.joined(separator: ", "))")
        }
        let (full, test) = try kind.load(from: folder)
        (train, validation) = full.splitValidation(fraction: kind.validationFraction)
        self.test = test
        if let limit = config.limit { train = train.slice(0 ..< min(max(limit, config.batchSize), train.count)) }
    }
}
