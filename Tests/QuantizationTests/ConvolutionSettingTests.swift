import Foundation
import NeuralNet
import Quantization
import Testing

/// `pmf train --convolution` reaches the network: ResNet-tiny's 3×3 convolutions trained with
/// `gemm` and with `winograd` (the default) round differently, so their weights differ after a few
/// steps, while each algorithm repeats its own bits; the run's settings record the choice.
@Suite struct ConvolutionSettingTests {
    func train(_ extra: [String], data: URL) throws -> (network: [String: [UInt32]], spec: RunSpec) {
        let out = temporaryFolder("convolution")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try runProcess(try pmfExecutable(), ["train", "--arch", "resnet-tiny", "--dataset", "mnist", "--data", data.path,
                                                        "--epochs", "1", "--batch-size", "100", "--log-every", "2", "--out", out.path] + extra)
        #expect(run.status == 0, "\(run.error)")
        let checkpoint = try Checkpoint(contentsOf: out.path)
        return (bits(checkpoint.state.network.values), try JSONDecoder().decode(RunSpec.self, from: Data(checkpoint.settings.utf8)))
    }

    @Test func theSettingChoosesTheAlgorithm() throws {
        let data = try writeIDXFolder(train: 200, test: 100, side: 28)
        let winograd = try train([], data: data), gemm = try train(["--convolution", "gemm"], data: data)
        #expect(winograd.spec.convolution == .winograd && gemm.spec.convolution == .gemm)
        #expect(winograd.network != gemm.network, "the two algorithms trained the same bits: the setting did not reach the layers")
        #expect(try train(["--convolution", "gemm"], data: data).network == gemm.network)
    }
}
