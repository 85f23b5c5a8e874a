import NeuralNet

extension Architecture {
    /// The dataset whose image shape and classes a benchmark gives this network: Fashion-MNIST
    /// (28×28×1, 10 classes) for the MNIST networks `mlp`, `lenet300` and `lenet5`, CIFAR-10
    /// (32×32×3, 10 classes) for the others.
    public var benchmarkDataset: DatasetKind { [.mlp, .lenet300, .lenet5].contains(self) ? .fashionMNIST : .cifar10 }
}
