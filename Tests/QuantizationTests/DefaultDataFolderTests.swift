import Foundation
import Testing

/// `pmf train --dataset mnist` and `pmf eval` without --data read MNIST's cache folder ($PMFKIT_MNIST
/// here); without one, the error is one line saying how to get MNIST.
@Suite(.serialized) struct DefaultDataFolderTests {
    @Test func trainAndEvalFindTheCacheWithoutData() throws {
        let pmf = try pmfExecutable(), cache = try writeIDXFolder(train: 300, test: 100), export = temporaryFolder("cache-export")
        let trained = try runProcess(pmf, ["train", "--dataset", "mnist", "--arch", "mlp", "--epochs", "1", "--batch-size", "20",
                                           "--export", export.path, "--json"], environment: ["PMFKIT_MNIST": cache.path])
        #expect(trained.status == 0, "\(trained.error)")
        let evaluated = try runProcess(pmf, ["eval", "--export", export.path, "--json"], environment: ["PMFKIT_MNIST": cache.path])
        #expect(evaluated.status == 0 && evaluated.output.contains("\"reproduced\":true"), "\(evaluated.error)\(evaluated.output)")
    }

    @Test func withoutTheCacheOneLineSaysHowToGetMNIST() throws {
        let pmf = try pmfExecutable(), empty = temporaryFolder("no-mnist")
        let run = try runProcess(pmf, ["train", "--dataset", "mnist", "--arch", "mlp", "--epochs", "1"], environment: ["PMFKIT_MNIST": empty.path])
        #expect(run.status != 0)
        let lines = run.error.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains(empty.path) && lines[0].contains("make mnist") && lines[0].contains("--data"), "\(run.error)")
    }
}
