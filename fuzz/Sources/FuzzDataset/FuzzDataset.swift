import FuzzDriver
import Foundation
import NeuralNet

/// Writes `bytes` as `folder/name`.
func write(_ bytes: some Collection<UInt8>, _ name: String, in folder: String) {
    writeFile(bytes, to: "\(folder)/\(name)")
}

/// The dataset readers through the files `pmf train --data` reads. The input is written as
/// (1) one IDX file, read alone (raw or gzip); (2) an MNIST folder: the first two bytes give the
/// length L of the image file (little-endian), the next L bytes are the images, the rest the labels,
/// for both train- and t10k-; (3) a CIFAR-100 folder whose train.bin and test.bin are the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDataset(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = bytes(start, count), folder = scratchFolder("dataset")
    write(input, "single", in: folder)
    _ = try? IDXFile(path: "\(folder)/single")
    _ = try? IDXFile(bytes: input, path: "bytes")
    if input.count >= 2 {
        let length = min(Int(input[0]) | Int(input[1]) << 8, input.count - 2)
        let images = input[2 ..< 2 + length], labels = input[(2 + length)...]
        for prefix in ["train", "t10k"] {
            write(images, "\(prefix)-images-idx3-ubyte", in: folder)
            write(labels, "\(prefix)-labels-idx1-ubyte", in: folder)
        }
        _ = try? DatasetKind.mnist.load(from: folder)
    }
    write(input, "train.bin", in: folder)
    write(input, "test.bin", in: folder)
    _ = try? DatasetKind.cifar100.load(from: folder)
    return 0
}

// The one file of the target is its main file: libFuzzer runs from here.
runFuzzer(fuzzDataset)
