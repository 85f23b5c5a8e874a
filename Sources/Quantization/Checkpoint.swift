import Foundation
import Gnuplot
import NeuralNet
import Support

/// A training checkpoint on disk: everything `Trainer.run(resume:)` needs plus the run's settings.
///
/// Format (little-endian): the 8 bytes `PMFKCKPT`, a UInt32 version (1), a UInt64 byte length and
/// that many bytes of JSON metadata (`Checkpoint.Metadata`: iteration, random state, batch order,
/// trace, array layout, the caller's settings text), a UInt64 array count, then each array as a
/// UInt64 element count followed by its Float32 values. Written atomically (temporary file, then
/// rename), so a killed run leaves either the previous checkpoint or the new one.
public struct Checkpoint {
    public static let magic = Array("PMFKCKPT".utf8)
    public static let version: UInt32 = 1
    public static let fileName = "checkpoint.bin"

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
        var parameterArrays: Int
        var normArrays: Int
        var methodArrays: Int
        var optimizerArrays: Int
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

    private static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    private static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    /// The file's bytes.
    public func encoded() throws -> Data {
        let s = state
        let network = [s.network.parameters, s.network.runningMeans, s.network.runningVariances]
        var arrays = network.flatMap { $0 } + s.method + s.optimizerBuffers + [s.previousQuantized]
        if let best = s.best {
            for snapshot in [best.quantized, best.fractional] {
                arrays += snapshot.parameters + snapshot.runningMeans + snapshot.runningVariances
            }
        }
        let metadata = Metadata(iteration: s.iteration, settings: settings, parameterArrays: s.network.parameters.count,
                                normArrays: s.network.runningMeans.count, methodArrays: s.method.count,
                                optimizerArrays: s.optimizerBuffers.count, optimizerSteps: s.optimizerSteps, random: s.random,
                                order: s.order, windowLoss: s.windowLoss, windowCorrect: s.windowCorrect, windowSeen: s.windowSeen,
                                windowSteps: s.windowSteps, trace: s.trace, bestAccuracy: s.best?.accuracy,
                                bestIteration: s.best?.iteration, trainingSeconds: s.trainingSeconds)
        let json = try Self.encoder().encode(metadata)
        var data = Data(Self.magic)
        func append<T: FixedWidthInteger>(_ x: T) { withUnsafeBytes(of: x.littleEndian) { data.append(contentsOf: $0) } }
        append(Self.version)
        append(UInt64(json.count))
        data.append(json)
        append(UInt64(arrays.count))
        for array in arrays {
            append(UInt64(array.count))
            array.withUnsafeBytes { data.append(contentsOf: $0) }
        }
        return data
    }

    /// Writes `directory/checkpoint.bin` atomically.
    public func write(in directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try writeAtomically(try encoded(), to: directory.appendingPathComponent(Self.fileName))
    }

    /// Reads `path` (a checkpoint file, or a folder holding `checkpoint.bin`).
    public init(contentsOf path: String) throws {
        var isFolder: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
            ? (path as NSString).appendingPathComponent(Self.fileName) : path
        guard let data = FileManager.default.contents(atPath: file) else {
            throw QuantizationError("\(file): cannot read the checkpoint; pass the --out folder of a run started with --checkpoint-every")
        }
        try self.init(data: data, path: file)
    }

    public init(data: Data, path: String = "checkpoint") throws {
        let bytes = [UInt8](data)
        var offset = 0
        func fail(_ problem: String) -> QuantizationError { QuantizationError("\(path): \(problem)") }
        func read<T: FixedWidthInteger>(_: T.Type) throws -> T {
            let size = MemoryLayout<T>.size
            guard offset + size <= bytes.count else { throw fail("truncated checkpoint (ends at byte \(bytes.count)); resume from an intact one") }
            var value: T = 0
            withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: bytes[offset ..< offset + size]) }
            offset += size
            return T(littleEndian: value)
        }
        guard bytes.count >= 8, Array(bytes[0 ..< 8]) == Self.magic else { throw fail("not a PMFKit checkpoint (wrong magic)") }
        offset = 8
        let version = try read(UInt32.self)
        guard version == Self.version else { throw fail("checkpoint version \(version); this build reads version \(Self.version)") }
        let jsonLength = Int(try read(UInt64.self))
        guard jsonLength <= bytes.count - offset else { throw fail("truncated checkpoint metadata") }
        let metadata: Metadata
        do {
            metadata = try Self.decoder().decode(Metadata.self, from: Data(bytes[offset ..< offset + jsonLength]))
        } catch {
            throw fail("unreadable checkpoint metadata: \(error)")
        }
        offset += jsonLength
        let count = Int(try read(UInt64.self))
        var arrays: [[Float]] = []
        for _ in 0 ..< count {
            let n = Int(try read(UInt64.self))
            guard n >= 0, n * 4 <= bytes.count - offset else { throw fail("truncated checkpoint array") }
            var values = [Float](repeating: 0, count: n)
            values.withUnsafeMutableBytes { $0.copyBytes(from: bytes[offset ..< offset + n * 4]) }
            offset += n * 4
            arrays.append(values)
        }
        let m = metadata
        let networkCount = m.parameterArrays + 2 * m.normArrays
        let base = networkCount + m.methodArrays + m.optimizerArrays + 1
        let expected = base + (m.bestAccuracy == nil ? 0 : 2 * networkCount)
        guard arrays.count == expected else { throw fail("the checkpoint holds \(arrays.count) arrays, its metadata says \(expected)") }
        var cursor = 0
        func take(_ k: Int) -> [[Float]] { defer { cursor += k }; return Array(arrays[cursor ..< cursor + k]) }
        func snapshot() -> NetworkSnapshot {
            NetworkSnapshot(parameters: take(m.parameterArrays), runningMeans: take(m.normArrays), runningVariances: take(m.normArrays))
        }
        let network = snapshot()
        let method = take(m.methodArrays), optimizer = take(m.optimizerArrays), previous = take(1)[0]
        var best: BestModel?
        if let accuracy = m.bestAccuracy, let iteration = m.bestIteration {
            let quantized = snapshot(), fractional = snapshot()
            best = BestModel(accuracy: accuracy, iteration: iteration, quantized: quantized, fractional: fractional)
        }
        state = TrainerState(iteration: m.iteration, network: network, method: method, optimizerBuffers: optimizer,
                             optimizerSteps: m.optimizerSteps, random: m.random, order: m.order, windowLoss: m.windowLoss,
                             windowCorrect: m.windowCorrect, windowSeen: m.windowSeen, windowSteps: m.windowSteps,
                             previousQuantized: previous, trace: m.trace, best: best, trainingSeconds: m.trainingSeconds)
        settings = m.settings
    }
}
