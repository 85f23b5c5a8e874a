import Foundation
import Gnuplot
import NeuralNet
import Support

/// A training checkpoint on disk: everything `Trainer.run(resume:)` needs plus the run's settings.
///
/// Format version 3 (little-endian). A 24-byte header: the 8 bytes `PMFKCKPT`, a UInt32 version
/// (3), a UInt32 CRC-32 (zlib's `crc32`) of every byte after the header, and a UInt64 count of
/// those bytes. Then the payload: a UInt64 byte length and that many bytes of JSON metadata
/// (`Checkpoint.Metadata`: iteration, optimizer step count, random state, batch order, trace, the
/// caller's settings text), a UInt64 entry count, then each entry: a UInt64 byte length and that
/// many bytes of UTF-8 name, a UInt64 element count and that many Float32 values. The names say
/// what each array is (`CheckpointEntries`: `network/1.weight`, `method/1.weight/utilde`,
/// `optimizer/m/1.weight/utilde`, …); the writer orders entries by name, and a reader takes them
/// in any order, so what an array is never depends on where it sits.
///
/// Reading checks, in order: the magic, the version (files of versions 1 and 2, whose arrays were
/// positional, are refused: the run must be restarted), the payload length against the file's (a
/// truncated file), the CRC (any flipped byte), then every count before it is used to allocate or
/// index, then that every name is new and belongs to a part of the state. Each problem is one
/// line naming the file, the field or entry and the value. Whether the entries fit the run resumed
/// from them (every name it needs, no other, each of its size) is checked when the run restores
/// the state, in one line naming the file and the entry.
///
/// `write(in:)` keeps the previous checkpoint: an intact `checkpoint.bin` is first hard-linked (or
/// copied) to `checkpoint.prev.bin`, then the new file is written beside it and renamed over
/// `checkpoint.bin`, so a killed run always leaves an intact `checkpoint.bin` and, after the second
/// checkpoint, the one before it. `latest(in:warn:)` falls back to `checkpoint.prev.bin` when
/// `checkpoint.bin` is missing, truncated or corrupt.
public struct Checkpoint {
    public static let magic = Array("PMFKCKPT".utf8)
    public static let version: UInt32 = 3
    public static let fileName = "checkpoint.bin"
    /// The checkpoint before the last, kept by `write(in:)`.
    public static let previousFileName = "checkpoint.prev.bin"
    /// Bytes before the payload: magic, version, CRC-32, payload length.
    static let headerSize = 24

    public var state: TrainerState
    /// The caller's description of the run (e.g. the command's resolved settings as JSON).
    public var settings: String

    public init(state: TrainerState, settings: String) {
        self.state = state
        self.settings = settings
    }

    struct Metadata: Codable {
        var iteration: Int
        var settings: String
        var optimizerSteps: Int
        var random: [UInt8]
        var order: [Int]
        var windowLoss: Double
        var windowCorrect: Int
        var windowSeen: Int
        var windowSteps: Int
        var trace: [TraceRow]
        var bestAccuracy: Double?
        var bestIteration: Int?
        var trainingSeconds: Double
    }

    /// The file's bytes.
    public func encoded() throws -> Data {
        let s = state
        let metadata = Metadata(iteration: s.iteration, settings: settings, optimizerSteps: s.optimizer.steps, random: s.random,
                                order: s.order, windowLoss: s.windowLoss, windowCorrect: s.windowCorrect, windowSeen: s.windowSeen,
                                windowSteps: s.windowSteps, trace: s.trace, bestAccuracy: s.best?.accuracy,
                                bestIteration: s.best?.iteration, trainingSeconds: s.trainingSeconds)
        let json = try jsonEncoder().encode(metadata)
        let entries = CheckpointEntries.entries(of: s).sorted { $0.key < $1.key }
        var payload = Data()
        func append<T: FixedWidthInteger>(_ x: T, to data: inout Data) { withUnsafeBytes(of: x.littleEndian) { data.append(contentsOf: $0) } }
        append(UInt64(json.count), to: &payload)
        payload.append(json)
        append(UInt64(entries.count), to: &payload)
        for (name, values) in entries {
            append(UInt64(name.utf8.count), to: &payload)
            payload.append(contentsOf: name.utf8)
            append(UInt64(values.count), to: &payload)
            values.withUnsafeBytes { payload.append(contentsOf: $0) }
        }
        var data = Data(Self.magic)
        append(Self.version, to: &data)
        append(payload.withUnsafeBytes { crc32($0) }, to: &data)
        append(UInt64(payload.count), to: &data)
        data.append(payload)
        return data
    }

    /// Writes `directory/checkpoint.bin` atomically, keeping the one it replaces (when intact) as
    /// `checkpoint.prev.bin`.
    public func write(in directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let data = try encoded()
        let current = directory.appendingPathComponent(Self.fileName), previous = directory.appendingPathComponent(Self.previousFileName)
        if let old = FileManager.default.contents(atPath: current.path), (try? Self.payload(of: [UInt8](old), path: current.path)) != nil {
            // A hard link keeps checkpoint.bin in place until the rename below replaces it.
            try? FileManager.default.removeItem(at: previous)
            if link(current.path, previous.path) != 0 { try writeAtomically(old, to: previous) }
        }
        try writeAtomically(data, to: current)
    }

    /// The checkpoint to resume from: `path` itself when it is a file; in a folder, its
    /// `checkpoint.bin`, or — when that is missing, truncated or corrupt — `checkpoint.prev.bin`,
    /// after calling `warn` with one line naming the file used and why.
    /// - Throws: `QuantizationError` naming both files' problems when neither can be read.
    public static func latest(in path: String, warn: (String) -> Void) throws -> Checkpoint {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            return try Checkpoint(contentsOf: path)
        }
        let current = (path as NSString).appendingPathComponent(fileName)
        let previous = (path as NSString).appendingPathComponent(previousFileName)
        let problem: String
        do { return try Checkpoint(contentsOf: current) } catch { problem = "\(error)" }
        guard FileManager.default.fileExists(atPath: previous) else { throw QuantizationError(problem) }
        do {
            let checkpoint = try Checkpoint(contentsOf: previous)
            warn("warning: resuming from \(previous) (iteration \(checkpoint.state.iteration)), the previous checkpoint, because \(problem)")
            return checkpoint
        } catch {
            throw QuantizationError("\(problem); the previous checkpoint cannot be used either: \(error)")
        }
    }

    /// Reads `path` (a checkpoint file, or a folder holding `checkpoint.bin`; no fallback).
    public init(contentsOf path: String) throws {
        var isFolder: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
            ? (path as NSString).appendingPathComponent(Self.fileName) : path
        guard let data = FileManager.default.contents(atPath: file) else {
            throw QuantizationError("\(file): cannot read the checkpoint (missing or unreadable); pass the --out folder of a run started with --checkpoint-every")
        }
        try self.init(data: data, path: file)
    }

    /// Checks the header and the CRC; returns the payload's range in `bytes`.
    static func payload(of bytes: [UInt8], path: String) throws(QuantizationError) -> Range<Int> {
        func fail(_ problem: String) -> QuantizationError { QuantizationError("\(path): \(problem)") }
        func integer<T: FixedWidthInteger>(at offset: Int, _: T.Type) -> T {
            var value: T = 0
            withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: bytes[offset ..< offset + MemoryLayout<T>.size]) }
            return T(littleEndian: value)
        }
        guard bytes.count >= 8, Array(bytes[0 ..< 8]) == magic else { throw fail("not a PMFKit checkpoint (wrong magic)") }
        guard bytes.count >= 12 else { throw fail("truncated checkpoint (\(bytes.count) bytes, shorter than its header)") }
        let version = integer(at: 8, UInt32.self)
        guard version >= Self.version else {
            throw fail("checkpoint format version \(version) is no longer read (version \(Self.version) names every array); restart the run without --resume")
        }
        guard version == Self.version else { throw fail("checkpoint version \(version); this build reads version \(Self.version)") }
        guard bytes.count >= headerSize else { throw fail("truncated checkpoint (\(bytes.count) bytes, shorter than its \(headerSize)-byte header)") }
        let stored = integer(at: 12, UInt32.self), length = integer(at: 16, UInt64.self)
        let available = bytes.count - headerSize
        guard length == UInt64(available) else {
            throw fail(length > UInt64(available)
                ? "truncated checkpoint: payload length \(length) but the file holds \(available) bytes after the header"
                : "payload length \(length) but the file holds \(available) bytes after the header (extra bytes at the end)")
        }
        let computed = bytes.withUnsafeBytes { crc32(UnsafeRawBufferPointer(rebasing: $0[headerSize...])) }
        guard computed == stored else {
            throw fail("CRC-32 mismatch (stored \(hex(stored)), computed \(hex(computed))): the checkpoint is corrupt; resume from an intact one")
        }
        return headerSize ..< bytes.count
    }

    private static func hex(_ x: UInt32) -> String { "0x" + String(x, radix: 16) }

    public init(data: Data, path: String = "checkpoint") throws {
        let bytes = [UInt8](data)
        let range = try Self.payload(of: bytes, path: path)
        var offset = range.lowerBound
        func fail(_ problem: String) -> QuantizationError { QuantizationError("\(path): \(problem)") }
        /// Reads a UInt64 count that must be at most `limit` (what the rest of the file can hold).
        func count(_ field: String, limit: Int) throws -> Int {
            let size = MemoryLayout<UInt64>.size
            guard offset + size <= bytes.count else { throw fail("truncated checkpoint: \(field) is cut off at byte \(bytes.count)") }
            var value: UInt64 = 0
            withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: bytes[offset ..< offset + size]) }
            offset += size
            value = UInt64(littleEndian: value)
            guard value <= UInt64(max(limit, 0)) else {
                throw fail("\(field) is \(value), more than the \(bytes.count - offset) bytes left in the file allow")
            }
            return Int(value)
        }
        let jsonLength = try count("the metadata length", limit: bytes.count - offset - 8)
        let metadata: Metadata
        do {
            metadata = try jsonDecoder().decode(Metadata.self, from: Data(bytes[offset ..< offset + jsonLength]))
        } catch {
            let first = "\(error)".split(separator: "\n").first.map(String.init) ?? ""
            throw fail("unreadable checkpoint metadata: \(first)")
        }
        offset += jsonLength
        let entryCount = try count("the entry count", limit: (bytes.count - offset - 8) / 16)
        var entries: [String: [Float]] = [:]
        for index in 0 ..< entryCount {
            let nameLength = try count("the name length of entry \(index)", limit: bytes.count - offset - 8)
            guard let name = String(validating: bytes[offset ..< offset + nameLength], as: UTF8.self),
                  !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw fail("the name of entry \(index) is not UTF-8 text without control characters")
            }
            offset += nameLength
            let n = try count("the length of entry \(name)", limit: (bytes.count - offset - 8) / 4)
            var values = [Float](repeating: 0, count: n)
            values.withUnsafeMutableBytes { $0.copyBytes(from: bytes[offset ..< offset + n * 4]) }
            offset += n * 4
            guard entries.updateValue(values, forKey: name) == nil else { throw fail("checkpoint entry \(name) appears twice") }
        }
        guard offset == bytes.count else { throw fail("\(bytes.count - offset) unexpected bytes after the last entry") }
        try metadata.validate(path: path)
        let m = metadata
        let (parts, previous) = try CheckpointEntries.parts(of: entries, path: path)
        var best: BestModel?
        if let accuracy = m.bestAccuracy, let iteration = m.bestIteration {
            best = BestModel(accuracy: accuracy, iteration: iteration, quantized: NetworkSnapshot(values: parts[CheckpointEntries.bestQuantized]!),
                             fractional: NetworkSnapshot(values: parts[CheckpointEntries.bestFractional]!))
        } else if let stray = [CheckpointEntries.bestQuantized, CheckpointEntries.bestFractional]
            .flatMap({ prefix in parts[prefix]!.keys.map { prefix + $0 } }).min() {
            throw fail("checkpoint entry \(stray) belongs to a best model, but the metadata records none")
        }
        state = TrainerState(iteration: m.iteration, network: NetworkSnapshot(values: parts[CheckpointEntries.network]!),
                             method: parts[CheckpointEntries.method]!,
                             optimizer: OptimizerState(steps: m.optimizerSteps, buffers: parts[CheckpointEntries.optimizer]!),
                             random: m.random, order: m.order, windowLoss: m.windowLoss, windowCorrect: m.windowCorrect,
                             windowSeen: m.windowSeen, windowSteps: m.windowSteps, previousQuantized: previous, trace: m.trace,
                             best: best, trainingSeconds: m.trainingSeconds, source: path)
        settings = m.settings
    }
}

extension Checkpoint.Metadata {
    /// Checks the numbers the reader and `Trainer.run(resume:)` count, index or convert with: one
    /// line naming `path`, the field and the value.
    func validate(path: String) throws(QuantizationError) {
        func fail(_ field: String, _ value: Any, _ rule: String) -> QuantizationError {
            QuantizationError("\(path): checkpoint metadata field \(field) is \(value); it must be \(rule)")
        }
        let counts: [(String, Int)] = [("iteration", iteration), ("optimizerSteps", optimizerSteps), ("windowCorrect", windowCorrect),
                                       ("windowSeen", windowSeen), ("windowSteps", windowSteps)]
        for (field, value) in counts where !(0 ... 1 << 32).contains(value) { throw fail(field, value, "in 0 … \(1 << 32)") }
        if let bestIteration, !(0 ... 1 << 32).contains(bestIteration) { throw fail("bestIteration", bestIteration, "in 0 … \(1 << 32)") }
        guard trainingSeconds.isFinite, (0 ... 1e9).contains(trainingSeconds) else {
            throw fail("trainingSeconds", trainingSeconds, "a finite number of seconds in 0 … 1e9")
        }
    }
}
