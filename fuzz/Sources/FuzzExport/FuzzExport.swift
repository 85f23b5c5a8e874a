import FuzzDriver
import Foundation
import Quantization

/// The export readers: the input as a `.npy` file, and as the `manifest.json` of an export folder
/// (read, then summarised as `pmf eval` does). A `.npy` array that parses must encode and parse back.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExport(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = Data(bytes(start, count)), folder = URL(fileURLWithPath: scratchFolder("export"), isDirectory: true)
    if let array = try? NPY.decode(data, path: "fuzz.npy") {
        guard (try? NPY.decode(NPY.encode(array.values, shape: array.shape)))?.shape == array.shape else {
            fatalError("a parsed .npy array does not round-trip")
        }
    }
    writeFile(data, to: folder.appendingPathComponent("manifest.json").path)
    if let manifest = try? QuantizedExport.manifest(in: folder) {
        _ = manifest.summary.text
    }
    return 0
}

// The one file of the target is its main file: libFuzzer runs from here.
runFuzzer(fuzzExport)
