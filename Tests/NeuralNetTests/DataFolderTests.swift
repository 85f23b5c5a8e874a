import Foundation
@testable import NeuralNet
import Testing

/// `DatasetKind.folder(given:environment:)`, the one place a dataset's folder is chosen, and MNIST's
/// cache folder rule (the same rule scripts/fetch-mnist.py applies; scripts/fetch-mnist-test.py checks its side).
@Suite struct DataFolderTests {
    let root: String = {
        let path = NSTemporaryDirectory() + "pmfkit-folders-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// A 2-image, 2×2 MNIST-format folder at `path` with the given files left out.
    func writeMNIST(at path: String, leavingOut: Set<String> = []) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let files: [String: [UInt8]] = [
            "train-images-idx3-ubyte": [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8],
            "train-labels-idx1-ubyte": [0, 0, 8, 1, 0, 0, 0, 2, 3, 7],
            "t10k-images-idx3-ubyte": [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 9, 9, 9, 9],
            "t10k-labels-idx1-ubyte": [0, 0, 8, 1, 0, 0, 0, 1, 5],
        ]
        for (name, bytes) in files where !leavingOut.contains(name) {
            try Data(bytes).write(to: URL(fileURLWithPath: "\(path)/\(name)"))
        }
    }

    @Test func mnistCacheFolderRule() {
        let cases: [([String: String], String)] = [
            (["HOME": "/h"], "/h/.cache/pmfkit/mnist"),
            (["HOME": "/h", "XDG_CACHE_HOME": "/x"], "/x/pmfkit/mnist"),
            (["HOME": "/h", "XDG_CACHE_HOME": "relative"], "/h/.cache/pmfkit/mnist"),
            (["HOME": "/h", "XDG_CACHE_HOME": "/x", "PMFKIT_MNIST": "/own"], "/own"),
            (["HOME": "/h", "PMFKIT_MNIST": ""], "/h/.cache/pmfkit/mnist"),
        ]
        for (environment, folder) in cases {
            #expect(DatasetKind.mnistCacheFolder(environment: environment) == folder, "\(environment)")
        }
    }

    @Test func theCacheIsFoundWithoutAFolder() throws {
        let cache = "\(root)/xdg/pmfkit/mnist"
        try writeMNIST(at: cache)
        let folder = try DatasetKind.mnist.folder(given: nil, environment: ["HOME": "\(root)/home", "XDG_CACHE_HOME": "\(root)/xdg"])
        #expect(folder == cache)
        let (train, test) = try DatasetKind.mnist.load(from: folder)
        #expect(train.labels == [3, 7] && test.labels == [5])
    }

    @Test func aGivenFolderIsTakenAsItIs() throws {
        try writeMNIST(at: "\(root)/cache")
        #expect(try DatasetKind.mnist.folder(given: "\(root)/mine", environment: ["PMFKIT_MNIST": "\(root)/cache"]) == "\(root)/mine")
        #expect(try DatasetKind.cifar10.folder(given: "\(root)/cifar") == "\(root)/cifar")
    }

    @Test func aMissingCacheSaysHowToGetMNISTInOneLine() throws {
        let environment = ["HOME": "\(root)/home"]
        let message = try #require(throwing(try DatasetKind.mnist.folder(given: nil, environment: environment)))
        #expect(message.contains("\(root)/home/.cache/pmfkit/mnist/train-images-idx3-ubyte"), "\(message)")
        #expect(message.contains("make mnist") && message.contains("--data") && !message.contains("\n"), "\(message)")
    }

    @Test func anIncompleteCacheNamesTheMissingFile() throws {
        try writeMNIST(at: "\(root)/cache", leavingOut: ["t10k-labels-idx1-ubyte"])
        let message = try #require(throwing(try DatasetKind.mnist.folder(given: nil, environment: ["PMFKIT_MNIST": "\(root)/cache"])))
        #expect(message.contains("\(root)/cache/t10k-labels-idx1-ubyte") && message.contains("make mnist"), "\(message)")
    }

    @Test func cifarHasNoDefaultFolder() throws {
        let message = try #require(throwing(try DatasetKind.cifar100.folder(given: nil)))
        #expect(message.contains("cifar100") && message.contains("--data") && message.contains("train.bin"), "\(message)")
    }

    /// The message of the error `body` throws, or nil when it returns.
    func throwing(_ body: @autoclosure () throws -> String) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return "\(error)"
        }
    }
}
