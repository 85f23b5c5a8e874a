import Foundation
import NeuralNet
import Quantization
import Testing

/// Checkpoints and `.npy` files that are damaged or lie about their sizes (issue #17; export
/// manifests: ExportTests): one-line errors naming the file, the field and the value, never a trap; and the
/// fallback to the previous checkpoint. The fuzzer's regression inputs (fuzz/, docs/tests.md) are here.
@Suite struct HostileInputTests {
    /// A small state of the shape a training run hands out (no training needed).
    static func state(iteration: Int, best: Bool = true, trainingSeconds: Double = 1.5, windowSeen: Int = 30) -> TrainerState {
        let network = NetworkSnapshot(values: ["0.weight": [1, -1, 0.5], "0.bias": [0.25], "1.running_mean": [0.1, 0.2], "1.running_var": [1, 2]])
        let fractional = NetworkSnapshot(values: network.values.mapValues { $0.map { $0 / 2 } })
        let bestModel = best ? BestModel(accuracy: 0.5, iteration: 10, quantized: network, fractional: fractional) : nil
        return TrainerState(iteration: iteration, network: network, method: ["0.weight/utilde": [0.5, 0.5, Float(iteration)], "0.bias": [2]],
                            optimizer: OptimizerState(steps: iteration, buffers: ["m/0.weight/utilde": [0, 1, 2], "v/0.weight/utilde": [3, 4, 5],
                                                                                  "m/0.bias": [6], "v/0.bias": [7]]),
                            random: [1, 2, 3, 4], order: [2, 0, 1], windowLoss: 0.7, windowCorrect: 3,
                            windowSeen: windowSeen, windowSteps: 2, previousQuantized: [1, -1, 1, 1], trace: [], best: bestModel,
                            trainingSeconds: trainingSeconds)
    }

    static func encoded(iteration: Int = 20) throws -> Data { try Checkpoint(state: state(iteration: iteration), settings: "{}").encoded() }

    /// Recomputes the header's CRC and payload length after the payload (bytes 24…) was edited.
    static func resealed(_ data: Data) -> Data {
        var bytes = [UInt8](data)
        let crc = bytes.withUnsafeBytes { crc32(UnsafeRawBufferPointer(rebasing: $0[24...])) }
        withUnsafeBytes(of: crc.littleEndian) { bytes.replaceSubrange(12 ..< 16, with: $0) }
        withUnsafeBytes(of: UInt64(bytes.count - 24).littleEndian) { bytes.replaceSubrange(16 ..< 24, with: $0) }
        return Data(bytes)
    }

    @Test func versionThreeRoundTripsEveryFieldByName() throws {
        let state = Self.state(iteration: 20)
        let data = try Checkpoint(state: state, settings: "{\"a\":1}").encoded()
        let decoded = try Checkpoint(data: data, path: "r.bin").state
        #expect(decoded.iteration == 20 && decoded.optimizer.steps == 20 && decoded.random == state.random && decoded.order == state.order)
        #expect(bits(decoded.method) == bits(state.method) && bits(decoded.optimizer.buffers) == bits(state.optimizer.buffers))
        #expect(bits(decoded.network.values) == bits(state.network.values))
        #expect(bits(decoded.best!.quantized.values) == bits(state.best!.quantized.values))
        #expect(bits(decoded.best!.fractional.values) == bits(state.best!.fractional.values))
        #expect(decoded.previousQuantized == state.previousQuantized && decoded.source == "r.bin")
        #expect(Array(data.prefix(12)) == Array("PMFKCKPT".utf8) + [3, 0, 0, 0])
        // Every array under its name, in name order (an independent reading of the documented layout).
        let file = CheckpointFile(data)
        #expect(file.entries.map(\.name) == ["best/fractional/0.bias", "best/fractional/0.weight", "best/fractional/1.running_mean",
                                             "best/fractional/1.running_var", "best/quantized/0.bias", "best/quantized/0.weight",
                                             "best/quantized/1.running_mean", "best/quantized/1.running_var", "method/0.bias",
                                             "method/0.weight/utilde", "network/0.bias", "network/0.weight", "network/1.running_mean",
                                             "network/1.running_var", "optimizer/m/0.bias", "optimizer/m/0.weight/utilde",
                                             "optimizer/v/0.bias", "optimizer/v/0.weight/utilde", "previousQuantized"])
        #expect(file.entries[file.index(of: "optimizer/v/0.weight/utilde")!].values == [3, 4, 5])
        #expect(file.entries[file.index(of: "best/fractional/0.weight")!].values == [0.5, -0.5, 0.25])
        // Reordered in the file, the same state.
        var shuffled = file
        shuffled.entries = file.entries.enumerated().sorted { ($0.offset * 7) % 19 < ($1.offset * 7) % 19 }.map(\.element)
        #expect(shuffled.entries.map(\.name) != file.entries.map(\.name))
        let again = try Checkpoint(data: shuffled.data).state
        #expect(bits(again.method) == bits(state.method) && bits(again.optimizer.buffers) == bits(state.optimizer.buffers))
        #expect(bits(again.network.values) == bits(state.network.values) && bits(again.best!.fractional.values) == bits(state.best!.fractional.values))
    }

    /// Entries the reader cannot place: a name given twice, a name of no part of the state, best
    /// networks without a best model in the metadata, a missing `previousQuantized`, a name that
    /// is not text.
    @Test func entriesOfNoPartOfTheStateAreNamed() throws {
        let file = CheckpointFile(try Self.encoded())
        func edited(_ change: (inout CheckpointFile) -> Void) -> Data {
            var copy = file
            change(&copy)
            return copy.data
        }
        expectError(["e.bin", "entry method/0.bias appears twice"]) {
            _ = try Checkpoint(data: edited { $0.entries.append(("method/0.bias", [1])) }, path: "e.bin")
        }
        expectError(["e.bin", "entry momentum/0.bias is of no part", "network/", "optimizer/"]) {
            _ = try Checkpoint(data: edited { $0.entries.append(("momentum/0.bias", [1])) }, path: "e.bin")
        }
        expectError(["e.bin", "entry previousQuantized is missing"]) {
            _ = try Checkpoint(data: edited { $0.entries.removeAll { $0.name == "previousQuantized" } }, path: "e.bin")
        }
        expectError(["e.bin", "the name of entry 0 is not UTF-8"]) {
            _ = try Checkpoint(data: edited { $0.entries[0].name = "a\nb" }, path: "e.bin")
        }
        let noBest = CheckpointFile(try Checkpoint(state: Self.state(iteration: 20, best: false), settings: "{}").encoded())
        #expect(try Checkpoint(data: noBest.data).state.best == nil)
        var stray = noBest
        stray.entries.append(("best/quantized/0.bias", [1]))
        expectError(["e.bin", "entry best/quantized/0.bias belongs to a best model, but the metadata records none"]) {
            _ = try Checkpoint(data: stray.data, path: "e.bin")
        }
    }

    /// Any flipped byte after the header — metadata, an array value, the last byte — or in the
    /// stored CRC itself is a CRC mismatch naming the file (version 1 resumed from such files silently).
    @Test func checkpointCRCMismatchAfterFlippingOneByte() throws {
        let data = try Self.encoded()
        for position in [12, 24, 40, data.count / 2, data.count - 1] {
            var flipped = data
            flipped[position] ^= 0x10
            expectError(["run/checkpoint.bin", "CRC-32 mismatch", "corrupt"]) { _ = try Checkpoint(data: flipped, path: "run/checkpoint.bin") }
        }
    }

    @Test func truncatedOrExtendedCheckpointsNameTheLengths() throws {
        let data = try Self.encoded()
        expectError(["c.bin", "truncated", "payload length \(data.count - 24)", "holds \(data.count - 25) bytes"]) {
            _ = try Checkpoint(data: data.prefix(data.count - 1), path: "c.bin")
        }
        expectError(["c.bin", "truncated", "header"]) { _ = try Checkpoint(data: data.prefix(20), path: "c.bin") }
        expectError(["c.bin", "extra bytes"]) { _ = try Checkpoint(data: data + [0], path: "c.bin") }
    }

    /// Versions 1 (no checksum) and 2 (positional arrays) are refused, naming the file.
    @Test func versionOneAndTwoCheckpointsAreRefused() throws {
        var old = try Self.encoded()
        for version: UInt8 in [1, 2] {
            old[8] = version
            expectError(["old/checkpoint.bin", "version \(version) is no longer read", "restart the run"]) {
                _ = try Checkpoint(data: old, path: "old/checkpoint.bin")
            }
        }
        // The fuzzer's crashing version-1 file (its metadata length trapped converting to Int): refused by version.
        let found = Data(Array("PMFKCKPT".utf8) + [1, 0, 0, 0, 3, 1, 0, 0, 253, 255, 255, 255] + Array("{\"iteration\":20}".utf8))
        expectError(["fuzz.bin", "version 1"]) { _ = try Checkpoint(data: found, path: "fuzz.bin") }
    }

    /// Counts of 2⁶⁴−1 trapped in `Int(UInt64)` ("Not enough bits to represent the passed value")
    /// or in `n * 4`; with a valid CRC (the fuzzer recomputes it) they must be named errors.
    @Test func hugeCountsAreNamedEvenWithAValidChecksum() throws {
        let data = try Self.encoded()
        let jsonLength = Int(data[24 ..< 32].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        func with(_ value: UInt64, at offset: Int) -> Data {
            var copy = data
            withUnsafeBytes(of: value.littleEndian) { copy.replaceSubrange(offset ..< offset + 8, with: $0) }
            return Self.resealed(copy)
        }
        expectError(["c.bin", "metadata length is 18446744073709551615"]) { _ = try Checkpoint(data: with(.max, at: 24), path: "c.bin") }
        // The metadata length of the fuzzer's first find in the version-1 reader (FuzzCheckpoint).
        expectError(["c.bin", "metadata length is 18446744060824649987"]) { _ = try Checkpoint(data: with(0xffff_fffd_0000_0103, at: 24), path: "c.bin") }
        let entries = 32 + jsonLength
        expectError(["c.bin", "entry count is 9223372036854775808"]) { _ = try Checkpoint(data: with(1 << 63, at: entries), path: "c.bin") }
        expectError(["c.bin", "name length of entry 0 is 4611686018427387904"]) {
            _ = try Checkpoint(data: with(1 << 62, at: entries + 8), path: "c.bin")
        }
        let first = CheckpointFile(data).entries[0].name
        expectError(["c.bin", "length of entry \(first) is 4611686018427387904"]) {
            _ = try Checkpoint(data: with(1 << 62, at: entries + 16 + first.utf8.count), path: "c.bin")
        }
    }

    /// Metadata that parses but would crash the resumed run (a negative iteration indexes the batch
    /// order; an infinite time traps converting to nanoseconds) is refused by field and value.
    @Test func metadataOutOfRangeIsNamed() throws {
        func decode(_ state: TrainerState) throws { _ = try Checkpoint(data: try Checkpoint(state: state, settings: "").encoded(), path: "m.bin") }
        expectError(["m.bin", "iteration is -3"]) { try decode(Self.state(iteration: -3)) }
        expectError(["m.bin", "trainingSeconds is inf"]) { try decode(Self.state(iteration: 1, trainingSeconds: .infinity)) }
        expectError(["m.bin", "windowSeen is -1"]) { try decode(Self.state(iteration: 1, windowSeen: -1)) }
    }

    @Test func writingKeepsThePreviousCheckpoint() throws {
        let folder = temporaryFolder("prev")
        try Checkpoint(state: Self.state(iteration: 10), settings: "{}").write(in: folder)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(Checkpoint.previousFileName).path))
        try Checkpoint(state: Self.state(iteration: 20), settings: "{}").write(in: folder)
        #expect(try Checkpoint(contentsOf: folder.path).state.iteration == 20)
        #expect(try Checkpoint(contentsOf: folder.appendingPathComponent(Checkpoint.previousFileName).path).state.iteration == 10)
        // A damaged checkpoint.bin is not rotated over the intact previous one.
        let current = folder.appendingPathComponent(Checkpoint.fileName)
        try Data("garbage".utf8).write(to: current)
        try Checkpoint(state: Self.state(iteration: 30), settings: "{}").write(in: folder)
        #expect(try Checkpoint(contentsOf: folder.appendingPathComponent(Checkpoint.previousFileName).path).state.iteration == 10)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == [Checkpoint.fileName, Checkpoint.previousFileName])
    }

    @Test func truncatedCheckpointFallsBackToThePrevious() throws {
        let folder = temporaryFolder("fallback")
        try Checkpoint(state: Self.state(iteration: 10), settings: "{}").write(in: folder)
        try Checkpoint(state: Self.state(iteration: 20), settings: "{}").write(in: folder)
        let current = folder.appendingPathComponent(Checkpoint.fileName)
        let intact = try Data(contentsOf: current)
        var warnings: [String] = []
        #expect(try Checkpoint.latest(in: folder.path) { warnings.append($0) }.state.iteration == 20 && warnings.isEmpty)
        // Truncated, one byte flipped, missing: each resumes from checkpoint.prev.bin with one warning line.
        var flipped = intact
        flipped[flipped.count / 2] ^= 1
        for (damage, reason) in [(Optional(intact.prefix(intact.count - 100)), "truncated"), (flipped, "CRC-32"), (nil, "cannot read")] {
            if let damage { try damage.write(to: current) } else { try FileManager.default.removeItem(at: current) }
            warnings = []
            let resumed = try Checkpoint.latest(in: folder.path) { warnings.append($0) }
            #expect(resumed.state.iteration == 10)
            #expect(warnings.count == 1 && warnings[0].contains(Checkpoint.previousFileName) && warnings[0].contains(reason), "\(warnings)")
            #expect(!warnings.joined().contains("\n"))
        }
        // Both damaged: one error naming both files.
        try intact.prefix(50).write(to: current)
        try Data("x".utf8).write(to: folder.appendingPathComponent(Checkpoint.previousFileName))
        expectError([current.path, "truncated", Checkpoint.previousFileName, "magic"]) { _ = try Checkpoint.latest(in: folder.path) { _ in } }
    }

    /// `.npy` shapes were multiplied unchecked (an overflow trap) and non-numbers were dropped.
    @Test func npyShapesAreCheckedAgainstTheData() {
        func npy(_ shape: String, values: Int) -> Data {
            var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"
            header += String(repeating: " ", count: (64 - (11 + header.utf8.count) % 64) % 64) + "\n"
            let n = header.utf8.count
            return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(n & 255), UInt8(n >> 8)] + Array(header.utf8)
                        + [UInt8](repeating: 0, count: 4 * values))
        }
        #expect((try? NPY.decode(npy("(2, 3)", values: 6)))?.shape == [2, 3])
        #expect((try? NPY.decode(npy("(4,)", values: 4)))?.shape == [4])
        #expect((try? NPY.decode(npy("()", values: 1)))?.shape == [])
        expectError(["w.npy", "shape entry 0 is 9223372036854775807", "4 data bytes"]) { _ = try NPY.decode(npy("(9223372036854775807,)", values: 1), path: "w.npy") }
        expectError(["w.npy", "shape entry 1 is 4294967296"]) { _ = try NPY.decode(npy("(1, 4294967296, 4294967296)", values: 1), path: "w.npy") }
        expectError(["w.npy", "shape entry 0 is '-2'"]) { _ = try NPY.decode(npy("(-2, -3)", values: 6), path: "w.npy") }
        expectError(["w.npy", "shape entry 1 is 'x'"]) { _ = try NPY.decode(npy("(3, x)", values: 3), path: "w.npy") }
    }

    /// FuzzSpec's find (fuzz/, 2 minutes): a β₀ above the default cap passed the spec reader and
    /// trapped in `BetaSchedule`'s precondition (cap ≥ β₀); `pmf train --method` and sweep files reach it.
    @Test func fuzzerFoundBetaAboveTheDefaultCap() throws {
        expectError(["method 'md'", "beta0=429496729510", "cap 10000"]) { _ = try MethodSpec(parsing: "md[rho=73,beta0=429496729510]") }
        expectError(["method 'pmf'", "beta0=20000"]) { _ = try MethodSpec(parsing: "pmf[beta0=2e4]") }
        #expect(try MethodSpec(parsing: "pmf[beta0=2e4,cap=3e4]").beta.cap == 3e4)
    }
}

/// `pmf train --resume` on damaged checkpoints, as a user runs it.
@Suite struct ResumeFallbackCommandTests {
    @Test func aCorruptCheckpointResumesFromThePreviousWithAWarning() throws {
        let pmf = try pmfExecutable()
        let data = try writeIDXFolder(train: 240, test: 60)
        let out = temporaryFolder("fallback-run")
        let first = try runProcess(pmf, ["train", "--dataset", "mnist", "--data", data.path, "--arch", "mlp", "--method", "bc", "--epochs", "1",
                                         "--batch-size", "10", "--log-every", "5", "--checkpoint-every", "5", "--out", out.path, "--json"])
        #expect(first.status == 0, "\(first.error)")
        let current = out.appendingPathComponent(Checkpoint.fileName), previous = out.appendingPathComponent(Checkpoint.previousFileName)
        #expect(try Checkpoint(contentsOf: current.path).state.iteration == 20)
        #expect(try Checkpoint(contentsOf: previous.path).state.iteration == 15)
        var bytes = try Data(contentsOf: current)
        bytes[bytes.count - 7] ^= 0x40
        try bytes.write(to: current)
        let resumed = try runProcess(pmf, ["train", "--resume", out.path, "--json"])
        #expect(resumed.status == 0, "\(resumed.error)")
        let warning = resumed.error.split(separator: "\n").filter { $0.hasPrefix("warning:") }
        #expect(warning.count == 1 && warning[0].contains(previous.path) && warning[0].contains("iteration 15") && warning[0].contains("CRC-32"), "\(resumed.error)")
        #expect(resumed.output.contains("\"resumed_from_iteration\":15"), "\(resumed.output)")
        // A version-1 file (and no previous one) is refused, telling the user to restart.
        var old = try Data(contentsOf: current)
        old[8] = 1
        try old.write(to: current)
        try FileManager.default.removeItem(at: previous)
        let refused = try runProcess(pmf, ["train", "--resume", out.path])
        #expect(refused.status != 0 && refused.error.contains("version 1") && refused.error.contains("restart the run"), "\(refused.error)")
    }
}
