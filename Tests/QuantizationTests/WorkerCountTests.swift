import Foundation
import NeuralNet
import Quantization
import Testing

/// The same seed gives the same bits whatever the number of workers (`PMFKIT_THREADS`): per-chunk
/// sums are folded over chunks whose boundaries do not depend on it, and every other parallel
/// region computes each item on its own.
@Suite(.serialized) struct WorkerCountTests {
    static let workerCounts = ["1", "2", "3"]

    /// Trains with 1, 2 and 3 workers and returns each run's final checkpoint state and trace.
    func train(_ arguments: [String], data: URL) throws -> [(state: TrainerState, trace: String)] {
        let pmf = try pmfExecutable()
        return try Self.workerCounts.map { threads in
            let out = temporaryFolder("threads-\(threads)")
            defer { try? FileManager.default.removeItem(at: out) }
            let run = try runProcess(pmf, ["train", "--dataset", "mnist", "--data", data.path, "--seed", "3", "--out", out.path] + arguments,
                                     environment: ["PMFKIT_THREADS": threads])
            #expect(run.status == 0, "\(run.error)")
            let trace = try String(contentsOf: out.appendingPathComponent("trace.dat"), encoding: .utf8)
            return (try Checkpoint(contentsOf: out.path).state, trace)
        }
    }

    /// Every array of each run's state and its trace equal the first run's, bit for bit.
    func expectIdentical(_ runs: [(state: TrainerState, trace: String)]) {
        func arrays(_ s: TrainerState) -> [(String, [String: [UInt32]])] {
            [("network", bits(s.network.values)), ("method state", bits(s.method)), ("optimizer state", bits(s.optimizer.buffers))]
        }
        for (index, run) in runs.enumerated().dropFirst() {
            let differing = zip(arrays(run.state), arrays(runs[0].state)).filter { $0.1 != $1.1 }.map(\.0.0)
            #expect(differing.isEmpty, "\(Self.workerCounts[index]) workers: \(differing.joined(separator: ", ")) differ from 1 worker's")
            #expect(run.trace == runs[0].trace, "\(Self.workerCounts[index]) workers: the trace differs")
        }
    }

    /// LeNet-300 with PMF for 300 iterations (batch 20): weights, BatchNorm statistics, Adam's
    /// moments and the trace are bit-identical for 1, 2 and 3 workers.
    @Test func lenet300TrainsToTheSameBitsOnAnyWorkerCount() throws {
        let data = try writeIDXFolder(train: 6_000, test: 200)
        let runs = try train(["--arch", "lenet300", "--method", "pmf[rho=1.1,every=30]", "--epochs", "1", "--batch-size", "20",
                              "--log-every", "100"], data: data)
        expectIdentical(runs)
    }

    /// LeNet-5 (the fused convolution block: per-chunk BatchNorm moments and ∂W sums) for a few
    /// iterations at batch 100: the same bits for 1, 2 and 3 workers.
    @Test func lenet5TrainsToTheSameBitsOnAnyWorkerCount() throws {
        let data = try writeIDXFolder(train: 500, test: 100, side: 28)
        let runs = try train(["--arch", "lenet5", "--method", "pmf", "--epochs", "1", "--batch-size", "100", "--log-every", "2",
                              "--bn", "reestimate[batches=2]"], data: data)
        expectIdentical(runs)
    }

    /// ResNet-tiny (residual blocks with both shortcuts, the convolutions' per-chunk ∂W sums in the
    /// network's shared workspace, BatchNorm and ReLU overwriting their inputs) for a few iterations
    /// at batch 100 on 28×28 images: the same bits for 1, 2 and 3 workers.
    @Test func resnetTinyTrainsToTheSameBitsOnAnyWorkerCount() throws {
        let data = try writeIDXFolder(train: 300, test: 100, side: 28)
        let runs = try train(["--arch", "resnet-tiny", "--method", "pmf", "--epochs", "1", "--batch-size", "100", "--log-every", "2",
                              "--bn", "reestimate[batches=2]"], data: data)
        expectIdentical(runs)
    }

    /// Evaluation through the inference path — LeNet-5's fused convolution blocks, ResNet-18's
    /// residual blocks with both shortcuts, average pooling, BatchNorm → ReLU — gives the same logits
    /// bit for bit for 1, 2 and 3 workers: `pmf bench eval`'s digest of every logit on 24 seeded
    /// random images in batches of 10 (a partial last batch).
    @Test func evaluationGivesTheSameLogitsOnAnyWorkerCount() throws {
        struct Row: Decodable, Equatable { let arch: String; let accuracy: Double; let logits_digest: String }
        let pmf = try pmfExecutable()
        let runs = try Self.workerCounts.map { threads in
            let run = try runProcess(pmf, ["bench", "eval", "--arch", "lenet5", "resnet18", "--images", "24", "--batch-size", "10",
                                           "--repeats", "1", "--json"], environment: ["PMFKIT_THREADS": threads])
            #expect(run.status == 0, "\(run.error)")
            return try JSONDecoder().decode([Row].self, from: Data(run.output.utf8))
        }
        #expect(runs[0].map(\.arch) == ["lenet5", "resnet18"])
        for (index, rows) in runs.enumerated().dropFirst() {
            #expect(rows == runs[0], "\(Self.workerCounts[index]) workers: digests \(rows.map(\.logits_digest)), accuracies \(rows.map(\.accuracy)) against 1 worker's \(runs[0].map(\.logits_digest)), \(runs[0].map(\.accuracy))")
        }
    }

    /// Mean-field, PMF and BP on a 64×64 Potts grid (4 096 variables, split across the workers):
    /// the same JSON output, marginals included, for 1, 2 and 3 workers.
    @Test func mrfSolversGiveTheSameBitsOnAnyWorkerCount() throws {
        let pmf = try pmfExecutable()
        let folder = temporaryFolder("threads-mrf")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let model = folder.appendingPathComponent("potts.uai").path
        let generated = try runProcess(pmf, ["mrf", "generate", "potts", "--rows", "64", "--cols", "64", "--labels", "3", "--seed", "5",
                                             "--output", model])
        #expect(generated.status == 0, "\(generated.error)")
        let outputs = try Self.workerCounts.map { threads in
            let run = try runProcess(pmf, ["mrf", "solve", "--model", model, "--algo", "mf[order=parallel,maxiter=30]",
                                           "--algo", "pmf[maxiter=30]", "--algo", "bp[maxiter=30]", "--json"],
                                     environment: ["PMFKIT_THREADS": threads])
            #expect(run.status == 0, "\(run.error)")
            return Self.withoutTimes(run.output)
        }
        #expect(outputs.allSatisfy { $0 == outputs[0] } && outputs[0].contains("marginals"))
    }

    /// The JSON text with every `"seconds": …` value blanked (wall-clock times differ run to run).
    static func withoutTimes(_ json: String) -> String {
        json.replacingOccurrences(of: #""seconds"\s*:\s*[0-9.eE+-]+"#, with: #""seconds":_"#, options: .regularExpression)
    }
}
