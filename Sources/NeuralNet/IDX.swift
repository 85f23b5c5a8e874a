/// The IDX format of MNIST and Fashion-MNIST: a big-endian header — two zero bytes, a type code
/// (0x08 = unsigned bytes), the number of dimensions — then one 32-bit big-endian extent per
/// dimension, then the data. Reads raw or gzip-compressed files.
///
/// The extents are checked before anything is multiplied or allocated: their product must not
/// overflow and must equal the number of data bytes the file actually holds.
public struct IDXFile: Equatable {
    /// The extents, e.g. [60000, 28, 28] for images or [60000] for labels.
    public let dimensions: [Int]
    /// The unsigned-byte payload, row-major.
    public let bytes: [UInt8]

    /// Reads and validates an IDX file of unsigned bytes.
    public init(path: String) throws(DataError) {
        try self.init(bytes: try readBytes(path), path: path)
    }

    /// Validates the (already decompressed) bytes of an IDX file; `path` names it in errors.
    public init(bytes raw: [UInt8], path: String) throws(DataError) {
        guard raw.count >= 4, raw[0] == 0, raw[1] == 0, raw[2] == 0x08, raw[3] >= 1 else {
            let magic = raw.prefix(4).map { String($0, radix: 16) }.joined(separator: " ")
            throw DataError("\(path): bad IDX magic number [\(magic)], expected 00 00 08 0N (unsigned-byte IDX); is this an MNIST-format file?")
        }
        let rank = Int(raw[3])
        guard raw.count >= 4 + 4 * rank else {
            throw DataError("\(path): the IDX header is cut short (rank \(rank) needs \(4 + 4 * rank) header bytes, the file holds \(raw.count))")
        }
        let dimensions = (0 ..< rank).map { d in
            raw[4 + 4 * d ..< 8 + 4 * d].reduce(0) { $0 << 8 | Int($1) }
        }
        let start = 4 + 4 * rank, available = raw.count - start
        var expected = dimensions.contains(0) ? 0 : 1  // with a zero extent, the others may be anything
        for (d, extent) in dimensions.enumerated() where expected > 0 {
            let (product, overflow) = expected.multipliedReportingOverflow(by: extent)
            guard !overflow, product <= available else {
                throw DataError("\(path): IDX dimension \(d) is \(extent): the header's dimensions \(dimensions) need more than the \(available) data bytes the file holds; the file is truncated or corrupt")
            }
            expected = product
        }
        guard available == expected else {
            throw DataError("\(path): header promises \(dimensions) = \(expected) bytes of data but the file holds \(available); the file is truncated or corrupt")
        }
        self.dimensions = dimensions
        bytes = Array(raw[start...])
    }
}
