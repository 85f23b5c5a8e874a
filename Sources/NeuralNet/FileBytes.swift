import CZlib
import Foundation

/// The bytes of a file, transparently gunzipped when it starts with the gzip magic (1f 8b).
func readBytes(_ path: String) throws(DataError) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw DataError("\(path): cannot read the file (missing or unreadable)")
    }
    let bytes = [UInt8](data)
    guard bytes.count >= 2, bytes[0] == 0x1f, bytes[1] == 0x8b else { return bytes }
    return try gunzip(bytes, path: path)
}

/// The most bytes a gzip-compressed dataset file may inflate to (4 GiB; the largest dataset file
/// PMFKit reads, CIFAR-100's train.bin, is 150 MB): a corrupt or hostile stream stops here instead
/// of exhausting memory.
let maximumInflatedBytes = 1 << 32

/// Inflates a gzip stream with zlib (windowBits 15 + 32: detect the gzip header).
func gunzip(_ compressed: [UInt8], path: String, limit: Int = maximumInflatedBytes) throws(DataError) -> [UInt8] {
    guard compressed.count <= Int(UInt32.max) else {
        throw DataError("\(path): the gzip file is \(compressed.count) bytes, more than zlib reads in one pass (\(UInt32.max))")
    }
    var stream = z_stream()
    guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
        throw DataError("\(path): zlib could not start inflating")
    }
    defer { inflateEnd(&stream) }
    var output = [UInt8]()
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    var status: Int32 = Z_OK
    var input = compressed
    input.withUnsafeMutableBufferPointer { source in
        stream.next_in = source.baseAddress
        stream.avail_in = uInt(source.count)
        repeat {
            chunk.withUnsafeMutableBufferPointer { target in
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                status = inflate(&stream, Z_NO_FLUSH)
                output.append(contentsOf: target[0 ..< target.count - Int(stream.avail_out)])
            }
        } while status == Z_OK && output.count <= limit
    }
    guard output.count <= limit else {
        throw DataError("\(path): the gzip data inflates to more than \(limit) bytes; the file is corrupt or not a dataset file")
    }
    guard status == Z_STREAM_END else {
        throw DataError("\(path): the gzip data is corrupt or truncated (zlib status \(status)); download the file again")
    }
    return output
}

/// zlib's CRC-32 (the polynomial of gzip and PNG) of `bytes`, continuing from `crc` (0 to start).
public func crc32(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
    var value = uLong(crc), offset = 0
    let base = bytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
    while offset < bytes.count {
        let chunk = min(bytes.count - offset, 1 << 30)  // zlib takes a 32-bit length
        value = CZlib.crc32(value, base! + offset, uInt(chunk))
        offset += chunk
    }
    return UInt32(truncatingIfNeeded: value)
}
