import Foundation
import NeuralNet

/// A checkpoint file taken apart as the version-3 layout on `Checkpoint` describes it, by code of
/// its own (not the reader's): the metadata and the named entries in file order. `data` puts it
/// back together with a fresh CRC-32 and payload length, so a test can reorder, drop, add or
/// reshape entries and hand the reader a file that passes its checksum.
struct CheckpointFile {
    var header: [UInt8]
    var metadata: [UInt8]
    var entries: [(name: String, values: [Float])]

    init(_ data: Data) {
        let bytes = [UInt8](data)
        var offset = 24
        func integer() -> Int {
            defer { offset += 8 }
            return Int(UInt64(littleEndian: bytes[offset ..< offset + 8].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }))
        }
        func take(_ count: Int) -> ArraySlice<UInt8> {
            defer { offset += count }
            return bytes[offset ..< offset + count]
        }
        header = Array(bytes[0 ..< 24])
        metadata = Array(take(integer()))
        entries = (0 ..< integer()).map { _ in
            let name = String(decoding: take(integer()), as: UTF8.self)
            let values = take(4 * integer()).withUnsafeBytes { raw in
                (0 ..< raw.count / 4).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
            }
            return (name, values)
        }
    }

    var data: Data {
        var payload: [UInt8] = []
        func append(_ x: Int) { withUnsafeBytes(of: UInt64(x).littleEndian) { payload += $0 } }
        append(metadata.count)
        payload += metadata
        append(entries.count)
        for (name, values) in entries {
            append(name.utf8.count)
            payload += Array(name.utf8)
            append(values.count)
            values.withUnsafeBytes { payload += $0 }
        }
        var head = Array(header[0 ..< 12])
        withUnsafeBytes(of: payload.withUnsafeBytes { crc32($0) }.littleEndian) { head += $0 }
        withUnsafeBytes(of: UInt64(payload.count).littleEndian) { head += $0 }
        return Data(head + payload)
    }

    /// The index of the entry named `name`.
    func index(of name: String) -> Int? { entries.firstIndex { $0.name == name } }
}
