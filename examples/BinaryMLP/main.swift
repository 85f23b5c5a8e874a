// Training a binary MLP on Fashion-MNIST — the paper's setting in a few lines.
//
//     swift run BinaryMLP [FOLDER]      (default: /usr/share/datasets/fashion-mnist)
//
// The network is the toolkit's `mlp` (Flatten, Linear 784→100, ReLU, Linear 100→10), every weight
// and bias in {−1, 1}, trained with proximal mean-field (Algorithm 1 of the paper) with Adam on a
// 3 000-image slice for 4 epochs, then compared with the same network trained in float (REF).
// The weight parametrisation is a `WeightMethod`: the Trainer asks it to set the parameters before
// each forward pass (PMF: w = softmax(βũ)·q) and to pull the gradient back to its own variables
// after each backward pass (PMF: through the softmax Jacobian to ũ), so the method is one value.
//
// Without the dataset (no `dataset-fashion-mnist` package) it trains on a synthetic 10-class
// problem of the same shape, so the example always runs.
import Foundation
import NeuralNet
import Quantization
import Simplex

let folder = CommandLine.arguments.dropFirst().first ?? DatasetKind.fashionMNISTPackageFolder

/// Fashion-MNIST's first `count` training images and 2 000 test images, or a synthetic stand-in.
func loadData(count: Int) -> (train: Dataset, validation: Dataset, test: Dataset, source: String) {
    let random = RandomSource(seed: 1)
    if let (full, test) = try? DatasetKind.fashionMNIST.load(from: folder) {
        let (train, validation) = full.splitValidation(fraction: 1.0 / 6)
        return (train.slice(0 ..< count), validation.slice(0 ..< 2000), test.slice(0 ..< 2000), "Fashion-MNIST (\(folder))")
    }
    // Ten random prototype images; each sample is a prototype plus Gaussian noise.
    let side = 28, pixels = side * side
    let prototypes = (0 ..< 10).map { _ in (0 ..< pixels).map { _ in Float(random.gaussian()) } }
    func make(_ n: Int) -> Dataset {
        var images = [Float](), labels = [Int32]()
        for _ in 0 ..< n {
            let label = random.integer(below: 10)
            labels.append(Int32(label))
            images += prototypes[label].map { $0 + 2 * Float(random.gaussian()) }
        }
        return Dataset(images: images, labels: labels, imageShape: [side, side, 1], classes: 10)
    }
    return (make(count), make(1000), make(1000), "synthetic (no Fashion-MNIST in \(folder))")
}

let (train, validation, test, source) = loadData(count: 3000)
print("data: \(source), \(train.count) training images")

/// Trains a fresh `mlp` with the method `spec` (`ref`, `bc`, `pmf[…]`, …) and prints its trace.
@MainActor func train(_ spec: String) throws -> (TrainingResult, Sequential, any WeightMethod) {
    let random = RandomSource(seed: 1)
    let model = Architecture.mlp.build(imageShape: train.imageShape, classes: train.classes)
    initialize(model, using: random)
    var settings = TrainingSettings()
    settings.epochs = 4
    settings.batchSize = 100
    settings.learningRate = 1e-3
    settings.logEvery = 30
    // β starts at 1 and is multiplied by ρ = 1.2 every 5 iterations (the paper: every 100 of 20 000).
    let method = try MethodSpec(parsing: spec).makeMethod(for: model, levels: .binary, random: random)
    let trainer = Trainer(model: model, method: method, settings: settings, random: random)
    let result = try trainer.run(train: train, validation: validation, test: test)
    print("\n\(method.name):")
    for row in result.trace {
        print(String(format: "  iteration %3d  loss %.4f  validation accuracy %.3f (fractional %.3f)  β %8.2f  entropy %.4f",
                     row.iteration, row.loss, row.validationAccuracy ?? .nan, row.validationAccuracyFractional,
                     row.beta, row.meanEntropy))
    }
    print(String(format: "  test accuracy %.2f%% (best validation %.2f%% at iteration %d), %.1f s",
                 100 * result.testAccuracy, 100 * result.bestValidationAccuracy, result.bestIteration, result.seconds))
    return (result, model, method)
}

let (reference, _, _) = try train("ref")
let (binary, model, method) = try train("pmf[rho=1.2,every=5]")

// The trained network as evaluated: w = hardmax(ũ)·q, so every parameter is −1 or 1.
method.prepareEvaluation(quantized: true)
let values = model.namedParameters(prefix: "").flatMap { Array(UnsafeBufferPointer(start: $0.parameter.value.data, count: $0.parameter.count)) }
let levels = Set(values)
print("\nbinary network: \(values.count) parameters, distinct values \(levels.sorted())")
print(String(format: "REF %.2f%%  vs  binary PMF %.2f%% test accuracy", 100 * reference.testAccuracy, 100 * binary.testAccuracy))
guard levels.isSubset(of: [-1, 1]), binary.testAccuracy > 0.5 else {
    FileHandle.standardError.write(Data("BinaryMLP: the PMF network is not binary or no better than guessing\n".utf8))
    exit(1)
}
