import Foundation
import NeuralNet
import Quantization
import Simplex
import Testing

/// A resumed run takes every checkpoint entry by name (issue #26): an entry missing, of another
/// size or not part of the run stops the resume with one line naming the file and the entry.
/// (Reordered entries resume bit for bit: `TrainingTests.stoppingAndResumingInProcessIsBitwiseIdentical`.)
@Suite struct NamedCheckpointTests {
    let train = syntheticDataset(200, seed: 1), validation = syntheticDataset(50, seed: 2), test = syntheticDataset(50, seed: 3)

    /// LeNet-300 (BatchNorm statistics in the state) with PMF and Adam: 8 iterations of 25 images.
    func makeTrainer() throws -> Trainer {
        let random = RandomSource(seed: 4)
        let model = Architecture.lenet300.build(imageShape: [8, 8, 1], classes: 10)
        initialize(model, using: random)
        let method = try MethodSpec(parsing: "pmf[rho=1.3,every=2]").makeMethod(for: model, random: random)
        var settings = TrainingSettings()
        (settings.epochs, settings.batchSize, settings.logEvery) = (1, 25, 2)
        return Trainer(model: model, method: method, settings: settings, random: random)
    }

    /// The checkpoint file written after iteration 5.
    func stoppedRun() throws -> CheckpointFile {
        var saved = Data()
        #expect(throws: StopTraining.self) {
            _ = try makeTrainer().run(train: train, validation: validation, test: test, checkpoint: CheckpointPolicy(every: 5) { state in
                saved = try Checkpoint(state: state, settings: "{}").encoded()
                throw StopTraining()
            })
        }
        return CheckpointFile(saved)
    }

    /// Writes `file` to `path` and resumes a fresh trainer from it.
    func resume(_ file: CheckpointFile, at path: String) throws {
        try file.data.write(to: URL(fileURLWithPath: path))
        _ = try makeTrainer().run(train: train, validation: validation, test: test, resume: try Checkpoint(contentsOf: path).state)
    }

    let path = temporaryFolder("named").appendingPathExtension("bin").path

    @Test func theStateIsNamedByPartParameterAndSlot() throws {
        let names = try stoppedRun().entries.map(\.name)
        #expect(names == names.sorted())
        for name in ["network/1.weight", "network/2.running_mean", "network/5.running_var", "method/1.weight/utilde",
                     "optimizer/m/1.weight/utilde", "optimizer/v/7.bias/utilde", "previousQuantized", "best/quantized/4.bias",
                     "best/fractional/2.running_var"] {
            #expect(names.contains(name), "\(name) missing from \(names)")
        }
        // Three networks of 6 parameters and 2 BatchNorms (2 arrays each); 6 ũ, each with m and v.
        #expect(names.count == 3 * (6 + 2 * 2) + 6 + 6 * 2 + 1)
    }

    @Test func aMissingEntryIsNamed() throws {
        for (name, message) in [("optimizer/v/4.weight/utilde", "optimizer entry v/4.weight/utilde is missing"),
                                ("method/1.bias/utilde", "method entry 1.bias/utilde is missing"),
                                ("network/2.running_mean", "network entry 2.running_mean is missing"),
                                ("best/fractional/7.weight", "best fractional network entry 7.weight is missing")] {
            var file = try stoppedRun()
            file.entries.remove(at: try #require(file.index(of: name)))
            expectError([path, "the checkpoint does not fit this run", message]) { try resume(file, at: path) }
        }
    }

    @Test func anEntryOfAnotherSizeIsNamed() throws {
        var file = try stoppedRun()
        let index = try #require(file.index(of: "optimizer/m/4.weight/utilde"))
        let size = file.entries[index].values.count
        file.entries[index].values.removeLast()
        expectError([path, "optimizer entry m/4.weight/utilde holds \(size - 1) values; this run's has \(size)"]) { try resume(file, at: path) }
    }

    @Test func anEntryThisRunLacksIsNamed() throws {
        var file = try stoppedRun()
        file.entries.append(("optimizer/m/9.weight/utilde", [0, 1]))
        expectError([path, "optimizer entry m/9.weight/utilde is not part of this run"]) { try resume(file, at: path) }
        file = try stoppedRun()
        file.entries.append(("method/1.weight/wtilde", [0, 1]))
        expectError([path, "method entry 1.weight/wtilde is not part of this run"]) { try resume(file, at: path) }
    }
}
