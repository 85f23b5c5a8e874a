import Foundation
@testable import NeuralNet
import Testing

/// Readers on small files written here, including corrupt ones.
@Suite struct DataTests {
    let folder: String = {
        let path = NSTemporaryDirectory() + "pmfkit-data-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    func idx(_ dimensions: [Int], _ payload: [UInt8], magic: [UInt8]? = nil) -> Data {
        var bytes = magic ?? [0, 0, 8, UInt8(dimensions.count)]
        for d in dimensions { bytes += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
        return Data(bytes + payload)
    }

    func write(_ data: Data, _ name: String) -> String {
        let path = "\(folder)/\(name)"
        #expect(FileManager.default.createFile(atPath: path, contents: data), "could not write \(path)")
        return path
    }

    func gzip(_ path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-f", path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    /// A 3-image, 2×2 MNIST-format folder; the training files gzipped, the test files raw.
    func writeMNISTFolder() throws {
        let pixels: [UInt8] = [0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
        _ = write(idx([3, 2, 2], pixels), "train-images-idx3-ubyte")
        _ = write(idx([3], [1, 0, 2]), "train-labels-idx1-ubyte")
        try gzip("\(folder)/train-images-idx3-ubyte")
        try gzip("\(folder)/train-labels-idx1-ubyte")
        _ = write(idx([1, 2, 2], [1, 2, 3, 4]), "t10k-images-idx3-ubyte")
        _ = write(idx([1], [9]), "t10k-labels-idx1-ubyte")
    }

    @Test func idxRawAndGzipped() throws {
        try writeMNISTFolder()
        let raw = try IDXFile(path: "\(folder)/t10k-images-idx3-ubyte")
        #expect(raw.dimensions == [1, 2, 2] && raw.bytes == [1, 2, 3, 4])
        let packed = try IDXFile(path: "\(folder)/train-images-idx3-ubyte.gz")
        #expect(packed.dimensions == [3, 2, 2] && packed.bytes.first == 0 && packed.bytes[1] == 255)
        let (train, test) = try DatasetKind.mnist.load(from: folder)
        #expect(train.count == 3 && test.count == 1 && train.imageShape == [2, 2, 1])
        #expect(train.labels == [1, 0, 2] && test.labels == [9])
        // Normalised with the training set's own mean and deviation.
        let mean = train.images.reduce(0, +) / Float(train.images.count)
        let variance = train.images.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(train.images.count)
        #expect(abs(mean) < 1e-5 && abs(variance - 1) < 1e-4)
    }

    @Test func corruptIDXFilesAreRejectedByName() throws {
        let badMagic = write(idx([2], [1, 2], magic: [0, 0, 9, 1]), "bad-magic")
        #expect(throwsMessage(containing: ["bad-magic", "magic"]) { _ = try IDXFile(path: badMagic) })
        let short = write(idx([5, 2, 2], [1, 2, 3]), "short")
        #expect(throwsMessage(containing: ["short", "truncated"]) { _ = try IDXFile(path: short) })
        let gz = write(idx([4], [1, 2, 3, 4]), "cut")
        try gzip(gz)
        let data = FileManager.default.contents(atPath: gz + ".gz")!
        let cut = write(data.prefix(data.count - 12), "cut.gz")
        #expect(throwsMessage(containing: ["cut.gz", "corrupt"]) { _ = try IDXFile(path: cut) })
        #expect(throwsMessage(containing: ["missing-file"]) { _ = try IDXFile(path: "\(folder)/missing-file") })
    }

    @Test func countsThatDisagreeAreRejected() throws {
        _ = write(idx([2, 2, 2], [UInt8](repeating: 1, count: 8)), "train-images-idx3-ubyte")
        _ = write(idx([3], [1, 0, 2]), "train-labels-idx1-ubyte")
        #expect(throwsMessage(containing: ["2 images", "3 labels"]) { _ = try readIDXPair(folder, "train") })
    }

    @Test func missingFolderNamesThePackage() {
        #expect(throwsMessage(containing: ["no such folder", "cifar", "data_batch_1.bin"]) {
            _ = try DatasetKind.cifar10.load(from: "\(folder)/nothing-here")
        })
    }

    /// CIFAR records are planar RGB; the reader must produce HWC and take CIFAR-100's fine label.
    @Test func cifarRecordsBecomeHWCImages() throws {
        var record: [UInt8] = [7, 3]
        for channel in 0 ..< 3 { record += (0 ..< 1024).map { UInt8((channel * 50 + $0) % 256) } }
        let path = write(Data(record + record), "cifar100.bin")
        let data = try readCIFAR(path, labelBytes: 2, classes: 100)
        #expect(data.count == 2 && data.labels == [3, 3] && data.imageShape == [32, 32, 3])
        let pixel = 5
        #expect(data.images[pixel * 3 + 2] == Float((100 + pixel) % 256) / 255)
        let broken = write(Data(record.dropLast()), "broken.bin")
        #expect(throwsMessage(containing: ["broken.bin", "records"]) { _ = try readCIFAR(broken, labelBytes: 2, classes: 100) })
    }

    @Test func validationSplitHoldsOutTheTail() {
        let data = Dataset(images: (0 ..< 12).map(Float.init), labels: (0 ..< 12).map(Int32.init), imageShape: [1, 1, 1], classes: 12)
        let (train, validation) = data.splitValidation(fraction: 1.0 / 6)
        #expect(train.labels == Array(0 ..< 10) && validation.labels == [10, 11])
    }
}

/// Runs `body` and reports whether it threw an error whose message contains every fragment.
func throwsMessage(containing fragments: [String], _ body: () throws -> Void) -> Bool {
    do {
        try body()
        return false
    } catch {
        let message = "\(error)".lowercased()
        return fragments.allSatisfy { message.contains($0.lowercased()) }
    }
}
