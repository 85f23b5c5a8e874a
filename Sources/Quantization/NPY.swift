import Foundation

/// NumPy's `.npy` format, version 1.0, for little-endian arrays in C order: the magic
/// `\x93NUMPY`, bytes 1 and 0, a UInt16 little-endian header length, then the header — a Python
/// dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (…), }` padded with spaces and
/// ended by a newline so that the data starts at a multiple of 64 bytes — then the values.
/// Float32 (`<f4`) arrays hold values; 64-bit integer (`<i8`, NumPy's default integer) arrays hold
/// indices, and 32-bit ones (`<i4`) are read too.
public enum NPY {
    /// The file bytes of `values` with `shape` (C order, last axis fastest).
    public static func encode(_ values: [Float], shape: [Int]) -> Data { encode(values, descr: "<f4", shape: shape) }

    /// The file bytes of the integers `indices` with `shape`, as `<i8` (a label `indices:`, so that
    /// an array literal of whole numbers still encodes as float32).
    public static func encode(indices: [Int], shape: [Int]) -> Data { encode(indices.map(Int64.init), descr: "<i8", shape: shape) }

    private static func encode<T>(_ values: [T], descr: String, shape: [Int]) -> Data {
        precondition(shape.reduce(1, *) == values.count, "npy: \(values.count) values do not fill shape \(shape)")
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xff), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBytes { data.append(contentsOf: $0) }
        return data
    }

    /// Reads a version 1.0 `<f4` C-order file; returns its shape and values.
    public static func decode(_ data: Data, path: String = "npy") throws -> (shape: [Int], values: [Float]) {
        let (bytes, shape, start) = try layout(data, path: path, types: ["<f4": 4])
        var values = [Float](repeating: 0, count: shape.reduce(1, *))
        values.withUnsafeMutableBytes { $0.copyBytes(from: bytes[start...]) }
        return (shape, values)
    }

    /// Reads a version 1.0 `<i8` or `<i4` C-order file of integers; returns its shape and values.
    public static func decodeIntegers(_ data: Data, path: String = "npy") throws -> (shape: [Int], values: [Int]) {
        let (bytes, shape, start) = try layout(data, path: path, types: ["<i8": 8, "<i4": 4])
        let count = shape.reduce(1, *)
        if bytes.count - start == 8 * count {
            var values = [Int64](repeating: 0, count: count)
            values.withUnsafeMutableBytes { $0.copyBytes(from: bytes[start...]) }
            return (shape, values.map(Int.init))
        }
        var values = [Int32](repeating: 0, count: count)
        values.withUnsafeMutableBytes { $0.copyBytes(from: bytes[start...]) }
        return (shape, values.map(Int.init))
    }

    /// The bytes, shape and data offset of a file whose type is one of `types` (descr → bytes per
    /// value), after checking the magic, version, header and that the data fills the shape exactly.
    private static func layout(_ data: Data, path: String, types: [String: Int]) throws -> (bytes: [UInt8], shape: [Int], start: Int) {
        let bytes = [UInt8](data)
        func fail(_ problem: String) -> QuantizationError { QuantizationError("\(path): \(problem)") }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1 ..< 6]) == Array("NUMPY".utf8) else { throw fail("not a .npy file") }
        guard bytes[6] == 1 else { throw fail(".npy version \(bytes[6]).\(bytes[7]); this reader takes 1.0") }
        let length = Int(bytes[8]) | Int(bytes[9]) << 8
        guard 10 + length <= bytes.count else { throw fail("truncated .npy header") }
        let header = String(decoding: bytes[10 ..< 10 + length], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let names = types.keys.sorted()
        guard let descr = names.first(where: { header.contains("'descr': '\($0)'") }), header.contains("'fortran_order': False") else {
            throw fail("only \(names.joined(separator: " or ")) arrays in C order are read here; header \(header)")
        }
        let size = types[descr]!
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw fail("no shape in header \(header)")
        }
        // Every extent is a whole number ≥ 0 (a 1-tuple ends in a comma), and their product, checked
        // for overflow, must equal the number of values the file holds.
        var parts = header[open.upperBound ..< close].split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        if parts.count > 1, parts.last == "" { parts.removeLast() }
        if parts == [""] { parts = [] }
        let dataBytes = bytes.count - 10 - length
        var shape: [Int] = [], count = 1
        for (axis, part) in parts.enumerated() {
            guard let extent = Int(part), extent >= 0 else { throw fail("shape entry \(axis) is '\(part)', expected a whole number ≥ 0") }
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow, product <= dataBytes / size else {
                throw fail("shape entry \(axis) is \(extent): the shape needs more than the \(dataBytes) data bytes the file holds")
            }
            shape.append(extent)
            count = product
        }
        guard dataBytes == count * size else {
            throw fail("holds \(dataBytes) data bytes for shape \(shape) (\(count * size) expected)")
        }
        return (bytes, shape, 10 + length)
    }
}
