import FuzzDriver
import Foundation
import NeuralNet
import Quantization

/// The checkpoint reader, on the input as it is (which almost always fails the CRC-32) and with the
/// header's CRC and payload length recomputed, so that mutations reach the metadata and entry parser.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var bytes = bytes(start, count)
    _ = try? Checkpoint(data: Data(bytes), path: "fuzz.bin")
    if bytes.count >= 24 {
        let crc = bytes.withUnsafeBytes { crc32(UnsafeRawBufferPointer(rebasing: $0[24...])) }
        withUnsafeBytes(of: crc.littleEndian) { bytes.replaceSubrange(12 ..< 16, with: $0) }
        withUnsafeBytes(of: UInt64(bytes.count - 24).littleEndian) { bytes.replaceSubrange(16 ..< 24, with: $0) }
        if let checkpoint = try? Checkpoint(data: Data(bytes), path: "resealed.bin") {
            // What parses must encode and parse back to the same state.
            guard let again = try? Checkpoint(data: try checkpoint.encoded()), again.state.iteration == checkpoint.state.iteration else {
                fatalError("a parsed checkpoint does not round-trip")
            }
        }
    }
    return 0
}

// The one file of the target is its main file: libFuzzer runs from here.
runFuzzer(fuzzCheckpoint)
