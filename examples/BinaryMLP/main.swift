// Training a binary MLP on Fashion-MNIST — the paper's setting in a few lines.
//
//     swift run BinaryMLP [FOLDER]      (default: /usr/share/datasets/fashion-mnist)
//
// The network is the toolkit's `mlp` (Flatten, Linear 784→100, ReLU, Linear 100→10), trained with
// Adam on a 3 000-image slice for 2 epochs. The weight parametrisation is a `WeightMethod`: the
// Trainer asks it to set the parameters before each forward pass and to pull the gradient back
// after each backward pass, so swapping float training for PMF is one line (see "METHOD" below).
//
// Without the dataset (no `dataset-fashion-mnist` package) it trains on a synthetic 10-class
// problem of the same shape, so the example always runs.
import Foundation
import NeuralNet
import Simplex

let folder = CommandLine.arguments.dropFirst().first ?? DatasetKind.fashionMNISTPackageFolder
let random = RandomSource(seed: 1)

/// Fashion-MNIST's first `count` training images and 2 000 test images, or a synthetic stand-in.
func loadData(count: Int) -> (train: Dataset, validation: Dataset, test: Dataset, source: String) {
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
let model = Architecture.mlp.build(imageShape: train.imageShape, classes: train.classes)
initialize(model, using: random)

var settings = TrainingSettings()
settings.epochs = 2
settings.batchSize = 100
settings.learningRate = 1e-3
settings.logEvery = 10

// METHOD — the only line that changes to train a *binary* network. With the Quantization module
// (after the quantized-training merge) replace it by
//     let method = try MethodSpec(parsing: "pmf[rho=1.2,every=10]").makeMethod(for: model, levels: .binary)
// and add `import Quantization` above and "Quantization" to this target's dependencies in Package.swift.
let method: any WeightMethod = FloatWeights(model)

let trainer = Trainer(model: model, method: method, settings: settings, random: random)
let result = try trainer.run(train: train, validation: validation, test: test)

print("data: \(source), \(train.count) training images")
print("model: \(Architecture.mlp.rawValue), method: \(method.name)")
for row in result.trace where row.iteration % 20 == 0 {
    print(String(format: "  iteration %3d  loss %.4f  train accuracy %.3f", row.iteration, row.loss, row.trainAccuracy))
}
print(String(format: "test accuracy %.2f%% (best validation %.2f%% at epoch %d), %.1f s",
             100 * result.testAccuracy, 100 * result.bestValidationAccuracy, result.bestEpoch, result.seconds))
guard result.testAccuracy > 0.5 else {
    FileHandle.standardError.write(Data("BinaryMLP: test accuracy \(result.testAccuracy) is no better than guessing\n".utf8))
    exit(1)
}
