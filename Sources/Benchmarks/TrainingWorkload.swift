import NeuralNet
import Simplex

/// What one network trains on in `pmf bench train`: its images, a token test set, the batch size,
/// the epochs of a timed run over `train`, the images of the epoch "s/epoch" reports, and the same
/// data described to the PyTorch anchor.
public struct TrainingWorkload: Sendable {
    /// The training images of one timed run.
    public let train: Dataset
    /// A few images for the trainer's validation and test passes.
    public let test: Dataset
    /// Images per batch.
    public let batchSize: Int
    /// Epochs over `train` per timed run.
    public let epochs: Int
    /// The images of one epoch of the dataset's standard training set, which "s/epoch" is the time of.
    public let epochImages: Int
    /// The anchor's arguments naming the same data (`--data …` or `--synthetic …`), batch and epochs.
    public let anchorArguments: [String]

    /// The workload of `network` (`Architecture.benchmarkDataset`): for the MNIST networks all of
    /// Fashion-MNIST's 60 000 training images from `dataFolder` (or its default folder), the first
    /// 500 test images, batches of 100, `epochs` epochs; for the others `images` Gaussian 32×32×3
    /// images (seed 2) with labels cycling through the 10 classes, batches of 128, one pass, and
    /// an epoch of CIFAR-10's 50 000 images.
    /// - Throws: `DataError` when Fashion-MNIST cannot be read.
    public init(_ network: Architecture, epochs: Int, images: Int, dataFolder: String?) throws(DataError) {
        if network.benchmarkDataset == .fashionMNIST {
            let folder = try DatasetKind.fashionMNIST.folder(given: dataFolder)
            let (train, test) = try DatasetKind.fashionMNIST.load(from: folder)
            (self.train, self.test, batchSize, self.epochs, epochImages) = (train, test.slice(0 ..< 500), 100, epochs, train.count)
            anchorArguments = ["--data", folder, "--batch", "100", "--epochs", String(epochs)]
            return
        }
        let (shape, classes) = DatasetKind.cifar10.imageShapeAndClasses
        let random = RandomSource(seed: 2)
        func gaussian(_ count: Int) -> Dataset {
            Dataset(images: (0 ..< count * shape.reduce(1, *)).map { _ in Float(random.gaussian()) },
                    labels: (0 ..< count).map { Int32($0 % classes) }, imageShape: shape, classes: classes)
        }
        (train, test, batchSize, self.epochs, epochImages) = (gaussian(images), gaussian(2), 128, 1, DatasetKind.cifar10.standardTrainingImages)
        anchorArguments = ["--synthetic", String(images), "--image-shape", shape.map(String.init).joined(separator: ","),
                           "--classes", String(classes), "--batch", "128"]
    }
}
