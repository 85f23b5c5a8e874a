import NeuralNet

/// The images of one run: the training split (cut to the run's `limit`), the validation split held
/// out of it, and the test set.
public struct RunData: Sendable {
    public var train: Dataset
    public var validation: Dataset
    public var test: Dataset

    /// Loads `spec`'s dataset from `spec.data`, else from the dataset's default folder (MNIST's
    /// cache, Fashion-MNIST's package folder: `DatasetKind.folder(given:)`), holds out the dataset's
    /// validation fraction and keeps the first `limit` training images (at least one batch).
    /// - Throws: the `DataError` of `DatasetKind.folder(given:)` (no folder given and no usable
    ///   default) or of the reader (naming the file).
    public init(_ spec: RunSpec) throws {
        let kind = spec.dataset
        let folder = try kind.folder(given: spec.data)
        let (full, test) = try kind.load(from: folder)
        (train, validation) = full.splitValidation(fraction: kind.validationFraction)
        self.test = test
        train = train.slice(0 ..< Self.limited(train.count, by: spec))
    }

    /// The images a run of `spec` trains on out of a training split of `count`: the first `limit`,
    /// but at least one batch.
    public static func limited(_ count: Int, by spec: RunSpec) -> Int {
        spec.limit.map { min(max($0, spec.batchSize), count) } ?? count
    }

    /// The images a run of `spec` trains on, counted on its data when they can be read, else on the
    /// dataset's standard training split (so a run can be planned where its data are not).
    public static func trainingImages(of spec: RunSpec) -> Int {
        (try? RunData(spec))?.train.count ?? standardTrainingImages(of: spec)
    }

    /// The images a run of `spec` trains on when its data are the dataset's standard files.
    public static func standardTrainingImages(of spec: RunSpec) -> Int {
        let standard = spec.dataset.standardTrainingImages
        return limited(standard - Int((Double(standard) * spec.dataset.validationFraction).rounded()), by: spec)
    }
}
