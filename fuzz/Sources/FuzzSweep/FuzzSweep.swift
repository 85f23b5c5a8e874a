import FuzzDriver
import Quantization
import Sweep

/// The sweep-file reader (YAML, and JSON when the first byte is odd) and the expansion of the axes
/// into runs, as `pmf sweep plan` does, with the standard datasets' sizes in place of reading data.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSweep(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = UnsafeBufferPointer(start: start, count: count)
    guard let first = input.first else { return 0 }
    let text = String(decoding: input.dropFirst(), as: UTF8.self)
    if let sweep = try? SweepFile(text: text, file: "fuzz.yaml", json: first & 1 == 1) {
        _ = try? sweep.expand(baseFolder: "/base", trainingImages: RunData.standardTrainingImages(of:))
    }
    return 0
}

// The one file of the target is its main file: libFuzzer runs from here.
runFuzzer(fuzzSweep)
