import Foundation
import NeuralNet
import Quantization
import Simplex
import Testing

/// The replay options of `pmf train` (issue #24, docs/crosscheck.md): a written start read back,
/// a written batch order read back and used, the record's contents against the run's own trace
/// and checkpoint, and bad files refused with one line naming the file.
@Suite(.serialized) struct ReplayTests {
    static let data = try! writeIDXFolder(train: 360, test: 60)

    /// A small run on the synthetic IDX folder: 300 training images (60 held out), batches of 50.
    func config(_ method: String, epochs: Int = 2, logEvery: Int = 6) throws -> RunSpec {
        var o = RunSpec.Overrides()
        (o.arch, o.method, o.dataset, o.data, o.epochs, o.batchSize, o.seed) = (.lenet300, try MethodSpec(parsing: method), .mnist, Self.data.path, epochs, 50, 3)
        (o.logEvery, o.bn) = (logEvery, .running)
        return try RunSpec.resolve(preset: nil, overrides: o)
    }

    /// Every file of a folder, by name.
    func files(in folder: URL) throws -> [String: Data] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        return Dictionary(uniqueKeysWithValues: try names.map { ($0, try Data(contentsOf: folder.appendingPathComponent($0))) })
    }

    /// The values of a float32 `.npy` file.
    func floats(_ url: URL) throws -> [Float] { try NPY.decode(Data(contentsOf: url)).values }

    /// The final state of a run with `replay`, from its checkpoint, and its report.
    func run(_ config: RunSpec, _ replay: ReplayOptions = ReplayOptions()) throws -> (state: TrainerState, report: RunReport) {
        let folder = temporaryFolder("replay-run")
        var job = TrainingJob(spec: config, folder: folder)
        job.replay = replay
        let (report, _) = try job.run(on: try RunData(config))
        return (try Checkpoint(contentsOf: folder.path).state, report)
    }

    /// write-init → init → write-init gives the same bytes, one file per state tensor named by the
    /// tensor; a start changed on disk is what the method reads; a run from the seeded start read
    /// back ends bit for bit where the plain run ends.
    @Test(arguments: ["ref", "bc", "pq", "picm", "pmf[rho=1.3,every=5,jacobian=reference,init=independent]"])
    func aWrittenStartReadsBackToTheSameBytes(_ method: String) throws {
        let config = try config(method)
        let data = try RunData(config)
        let first = temporaryFolder("init-first"), second = temporaryFolder("init-second")
        try TrainingJob(spec: config).writeInitialState(for: data, to: first)
        var job = TrainingJob(spec: config)
        job.replay.initFolder = first
        try job.writeInitialState(for: data, to: second)
        let before = try files(in: first), after = try files(in: second)
        let model = Architecture.lenet300.build(imageShape: [8, 8, 1], classes: 10)
        let names = try config.method.makeMethod(for: model, random: RandomSource(seed: 1)).stateTensors
            .map { StateFiles.fileName($0.name) }
        #expect(before.keys.sorted() == names.sorted() && names.count == 6)
        #expect(before == after)

        // A changed start is read, not the seeded one.
        let file = first.appendingPathComponent(names[0])
        let (shape, values) = try NPY.decode(Data(contentsOf: file))
        try NPY.encode(values.map { 0.5 - $0 }, shape: shape).write(to: file)
        try job.writeInitialState(for: data, to: second)
        #expect(try NPY.decode(Data(contentsOf: second.appendingPathComponent(names[0]))).values == values.map { 0.5 - $0 })

        // Training from the seeded start read back is the plain run.
        let seeded = temporaryFolder("init-seeded")
        try TrainingJob(spec: config).writeInitialState(for: data, to: seeded)
        var replay = ReplayOptions()
        replay.initFolder = seeded
        let plain = try run(config), started = try run(config, replay)
        #expect(bits(plain.state.method) == bits(started.state.method))
        #expect(plain.state.trace.map(\.loss) == started.state.trace.map(\.loss))
    }

    /// The batch order a run writes, read back, gives the run bit for bit; another order gives
    /// another run whose record holds that order.
    @Test func aWrittenBatchOrderReadBackIsTheSameRun() throws {
        let config = try config("pmf[rho=1.3,every=5]", epochs: 3)
        let order = temporaryFolder("order").appendingPathExtension("npy")
        var writing = ReplayOptions()
        writing.writeBatchOrder = order
        let generated = try run(config, writing)
        let (shape, values) = try NPY.decodeIntegers(Data(contentsOf: order))
        #expect(shape == [3, 300])
        for epoch in 0 ..< 3 { #expect(Set(values[epoch * 300 ..< (epoch + 1) * 300]) == Set(0 ..< 300)) }
        #expect(Array(values[600...]) == generated.state.order)

        var reading = ReplayOptions()
        reading.batchOrder = order
        let replayed = try run(config, reading)
        #expect(bits(generated.state.method) == bits(replayed.state.method))
        #expect(generated.state.trace.map(\.loss) == replayed.state.trace.map(\.loss))

        // Each epoch's order reversed: another run, and the record keeps the order it used.
        let reversed = temporaryFolder("order-reversed").appendingPathExtension("npy")
        let rows = (0 ..< 3).map { Array(values[$0 * 300 ..< ($0 + 1) * 300].reversed()) }
        try BatchOrderFile.write(rows, to: reversed)
        var other = ReplayOptions()
        (other.batchOrder, other.record) = (reversed, temporaryFolder("order-record"))
        let changed = try run(config, other)
        #expect(bits(changed.state.method) != bits(generated.state.method))
        let recorded = try NPY.decodeIntegers(Data(contentsOf: other.record!.appendingPathComponent("batch-order.npy")))
        #expect(recorded.shape == [3, 300] && recorded.values == rows.flatMap { $0 })
    }

    /// The record: every step's loss equals the trace's (one row per step), step 0 holds the start,
    /// the last step the checkpoint's method state, Adam moments and BatchNorm statistics (and the
    /// optimizer's step count is the step's number), each where `record.json` says.
    @Test(arguments: ["bc", "pmf[rho=1.3,every=5,jacobian=onesoftmax]"])
    func theRecordHoldsTheRunsLossesAndStates(_ method: String) throws {
        let config = try config(method, logEvery: 1)
        let start = temporaryFolder("record-start")
        try TrainingJob(spec: config).writeInitialState(for: try RunData(config), to: start)
        var replay = ReplayOptions()
        (replay.record, replay.recordEvery) = (temporaryFolder("record"), 4)
        let (state, _) = try run(config, replay)
        let folder = replay.record!
        let array = { (path: String) throws in try floats(folder.appendingPathComponent(path)) }

        #expect(state.iteration == 12 && state.optimizer.steps == 12)
        #expect(try array("losses.npy").map(Double.init) == state.trace.map(\.loss))
        let steps = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("step-") }.sorted()
        #expect(steps == ["step-000000.npy", "step-000004.npy", "step-000008.npy", "step-000012.npy"])
        struct Description: Decodable {
            struct Entry: Decodable { let name: String; let shape: [Int]; let offset: Int }
            let arrays: [Entry]
            let variables: [String]
            let optimizerSlots: [String]
            let iterations: Int
            let length: Int
        }
        let description = try JSONDecoder().decode(Description.self, from: Data(contentsOf: folder.appendingPathComponent("record.json")))
        #expect(description.iterations == 12 && description.optimizerSlots == ["m", "v"])
        let (first, last) = (try array("step-000000.npy"), try array("step-000012.npy"))
        #expect(first.count == description.length && last.count == description.length)
        func slice(_ values: [Float], _ name: String) -> [Float] {
            guard let entry = description.arrays.first(where: { $0.name == name }) else { return [] }
            return Array(values[entry.offset ..< entry.offset + entry.shape.reduce(1, *)])
        }
        let model = Architecture.lenet300.build(imageShape: [8, 8, 1], classes: 10)
        let tensors = try config.method.makeMethod(for: model, random: RandomSource(seed: 1)).stateTensors
        #expect(description.arrays.filter { $0.name.hasPrefix("state/") }.map(\.shape) == tensors.map(\.tensor.shape))
        for (name, _) in tensors {
            #expect(try NPY.decode(Data(contentsOf: start.appendingPathComponent(StateFiles.fileName(name)))).values == slice(first, "state/\(name)"))
            #expect(slice(last, "state/\(name)") == state.method[name])
        }
        #expect(description.variables == tensors.map(\.name))  // BC and PMF with ũ optimise all their state tensors
        for name in description.variables {
            #expect(slice(last, "optimizer/m/\(name)") == state.optimizer.buffers["m/\(name)"])
            #expect(slice(last, "optimizer/v/\(name)") == state.optimizer.buffers["v/\(name)"])
        }
        #expect(slice(last, "buffers/2.running_mean") == state.network.values["2.running_mean"])
        #expect(slice(last, "buffers/5.running_var") == state.network.values["5.running_var"])
        #expect(description.arrays.last.map { $0.offset + $0.shape.reduce(1, *) } == description.length)
    }

    /// Bad starts, batch orders and record folders are refused with one line naming the file.
    @Test func badReplayFilesAreRefusedWithOneLine() throws {
        let config = try config("pmf")
        let data = try RunData(config)
        let start = temporaryFolder("bad-start")
        try TrainingJob(spec: config).writeInitialState(for: data, to: start)
        var job = TrainingJob(spec: config)
        job.replay.initFolder = start
        let target = temporaryFolder("bad-target")
        let weight = start.appendingPathComponent("1.weight.utilde.npy")
        let good = try Data(contentsOf: weight)

        try NPY.encode([Float](repeating: 0, count: 19200), shape: [19200]).write(to: weight)
        expectError(["1.weight.utilde.npy", "shape [19200]", "[19200, 2]"]) { try job.writeInitialState(for: data, to: target) }
        try NPY.encode([Float](repeating: .nan, count: 19200 * 2), shape: [19200, 2]).write(to: weight)
        expectError(["1.weight.utilde.npy", "entry 0 is nan"]) { try job.writeInitialState(for: data, to: target) }
        try FileManager.default.removeItem(at: weight)
        expectError(["1.weight.utilde.npy", "missing", "1.bias.utilde.npy"]) { try job.writeInitialState(for: data, to: target) }
        try good.write(to: weight)
        try good.write(to: start.appendingPathComponent("1.weight.wtilde.npy"))
        expectError(["1.weight.wtilde.npy", "not a state tensor"]) { try job.writeInitialState(for: data, to: target) }
        job.replay.initFolder = temporaryFolder("no-such-start")
        expectError(["no-such-start", "no such folder"]) { try job.writeInitialState(for: data, to: target) }

        let order = temporaryFolder("bad-order").appendingPathExtension("npy")
        try BatchOrderFile.write([Array(0 ..< 300)], to: order)
        expectError(["bad-order", "shape [1, 300]", "[2, 300]"]) { _ = try BatchOrderFile.read(order, epochs: 2, images: 300) }
        try BatchOrderFile.write([Array(0 ..< 300), [1] + Array(1 ..< 300)], to: order)
        expectError(["bad-order", "epoch 1", "not a permutation"]) { _ = try BatchOrderFile.read(order, epochs: 2, images: 300) }
        try NPY.encode([Float](repeating: 0, count: 600), shape: [2, 300]).write(to: order)
        expectError(["bad-order", "<i4 or <i8"]) { _ = try BatchOrderFile.read(order, epochs: 2, images: 300) }

        let occupied = temporaryFolder("occupied-record")
        try FileManager.default.createDirectory(at: occupied, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: occupied.appendingPathComponent("note.txt"))
        var recording = TrainingJob(spec: config)
        recording.replay.record = occupied
        expectError(["occupied-record", "not empty"]) { _ = try recording.run(on: data) }
    }

    /// The flags: --write-init writes and trains nothing; replay flags are refused with --resume
    /// and --record-every without --record, each with one line.
    @Test func theFlagsWriteAndRefuse() throws {
        let pmf = try pmfExecutable()
        let common = ["train", "--dataset", "mnist", "--data", Self.data.path, "--arch", "mlp", "--method", "bc", "--epochs", "1",
                      "--batch-size", "50"]
        let start = temporaryFolder("flag-start"), record = temporaryFolder("flag-record")
        let written = try runProcess(pmf, common + ["--write-init", start.path, "--json"])
        #expect(written.status == 0 && written.output.isEmpty, "\(written.error)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: start.path).sorted()
                == ["1.bias.wtilde.npy", "1.weight.wtilde.npy", "3.bias.wtilde.npy", "3.weight.wtilde.npy"])
        let recorded = try runProcess(pmf, common + ["--init", start.path, "--record", record.path, "--record-every", "2"])
        #expect(recorded.status == 0, "\(recorded.error)")
        #expect(FileManager.default.fileExists(atPath: record.appendingPathComponent("step-000006.npy").path))
        for (flags, fragment) in [(["--resume", record.path, "--init", start.path], "--init cannot be combined with --resume"),
                                  (["--record-every", "5"], "--record-every needs --record"),
                                  (["--record", temporaryFolder("r").path, "--record-every", "0"], "--record-every must be ≥ 1")] {
            let refused = try runProcess(pmf, common + flags)
            #expect(refused.status != 0 && refused.error.contains(fragment), "\(refused.error)")
            #expect(refused.error.trimmingCharacters(in: .newlines).split(separator: "\n").count == 1, "\(refused.error)")
        }
    }
}
