import Foundation
@testable import NeuralNet
import Testing

/// Dataset files whose headers lie (issue #17): each must give one line naming the file, the field
/// and the value, never a trap or an allocation sized by the header. The regression inputs of the
/// fuzzer (fuzz/, docs/tests.md) are here.
@Suite struct HostileInputTests {
    let folder: String = {
        let path = NSTemporaryDirectory() + "pmfkit-hostile-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    func write(_ bytes: [UInt8], _ name: String) -> String {
        let path = "\(folder)/\(name)"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "could not write \(path)")
        return path
    }

    /// An unsigned-byte IDX header with the given 32-bit extents.
    func header(_ dimensions: [UInt32]) -> [UInt8] {
        [0, 0, 8, UInt8(dimensions.count)] + dimensions.flatMap { d in (0 ..< 4).map { UInt8(d >> (24 - 8 * $0) & 255) } }
    }

    /// Three extents of 2³²−1 overflowed `Int` when multiplied (a trap in `IDXFile.init(path:)`).
    @Test func idxWithHugeDimensionsNamesTheField() {
        let path = write(header([0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF]) + [1, 2, 3], "huge-idx3-ubyte")
        #expect(throwsMessage(containing: [path, "dimension 0", "4294967295", "3 data bytes"]) { _ = try IDXFile(path: path) })
        // The product overflows only at the third extent; the error names where it passes the file.
        let late = write(header([1, 1 << 31, 1 << 31, 1 << 31]) + [7], "late-idx3-ubyte")
        #expect(throwsMessage(containing: [late, "dimension 1", "2147483648"]) { _ = try IDXFile(path: late) })
    }

    /// The fuzzer's first find in the pre-fix reader (fuzz/, FuzzDataset, in under a second): an
    /// image file whose three extents multiply past `Int.max`.
    @Test func fuzzerFoundIDXDimensionOverflow() {
        let found: [UInt8] = [0, 0, 8, 3, 227, 82, 97, 110, 103, 101, 82, 101, 112, 0, 0, 0, 2, 2, 0, 0, 254, 255, 251, 255]
        let path = write(found, "fuzz-images-idx3-ubyte")
        #expect(throwsMessage(containing: [path, "dimension 0 is 3813826926", "8 data bytes"]) { _ = try IDXFile(path: path) })
    }

    /// A header promising 60 000 images of 28×28 in a 100-byte file is rejected before anything is
    /// allocated, naming the first dimension that the file cannot hold.
    @Test func idxHeaderClaimingMoreThanTheFileHolds() {
        let path = write(header([60_000, 28, 28]) + [UInt8](repeating: 0, count: 100), "train-images-idx3-ubyte")
        #expect(throwsMessage(containing: [path, "dimension 0", "60000", "100 data bytes", "truncated"]) { _ = try IDXFile(path: path) })
        // More data than the header promises is also corrupt.
        let long = write(header([2]) + [1, 2, 3], "long-labels")
        #expect(throwsMessage(containing: [long, "[2] = 2 bytes", "holds 3"]) { _ = try IDXFile(path: long) })
        // A rank whose extents do not fit in the file.
        let cut = write([0, 0, 8, 200, 0, 0], "cut-header")
        #expect(throwsMessage(containing: [cut, "rank 200", "cut short"]) { _ = try IDXFile(path: cut) })
    }

    /// An IDX set with an extent of zero holds no images; the model would be built with a 0×N input.
    @Test func idxWithAZeroExtentIsRejected() {
        _ = write(header([2, 0, 5]), "train-images-idx3-ubyte")
        _ = write(header([2]) + [1, 1], "train-labels-idx1-ubyte")
        #expect(throwsMessage(containing: ["train-images-idx3-ubyte", "dimension 1 (rows) is 0"]) { _ = try readIDXPair(folder, "train") })
    }

    /// A gzip stream inflating past the limit stops there instead of exhausting memory.
    @Test func inflatingStopsAtTheLimit() throws {
        let path = write([UInt8](repeating: 0, count: 100_000), "zeros")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-f", path]
        try process.run()
        process.waitUntilExit()
        let packed = [UInt8](try #require(FileManager.default.contents(atPath: path + ".gz")))
        #expect(throwsMessage(containing: ["zeros.gz", "more than 1000 bytes"]) { _ = try gunzip(packed, path: path + ".gz", limit: 1000) })
        #expect(try gunzip(packed, path: path + ".gz").count == 100_000)
    }

    /// CIFAR records with a class outside the set are named by record and label.
    @Test func cifarLabelOutOfRangeIsNamed() {
        let path = write([200] + [UInt8](repeating: 0, count: 3072), "data_batch_1.bin")
        #expect(throwsMessage(containing: [path, "record 0", "label 200", "0..<10"]) { _ = try readCIFAR(path, labelBytes: 1, classes: 10) })
    }
}
