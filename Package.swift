// swift-tools-version: 6.1
import PackageDescription

let numerics = Target.Dependency.product(name: "RealModule", package: "swift-numerics")

let package = Package(
    name: "PMFKit",
    products: [
        .library(name: "Support", targets: ["Support"]),
        .library(name: "Simplex", targets: ["Simplex"]),
        .library(name: "MRF", targets: ["MRF"]),
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .library(name: "Quantization", targets: ["Quantization"]),
        .library(name: "Theorems", targets: ["Theorems"]),
        .library(name: "Gnuplot", targets: ["Gnuplot"]),
        .library(name: "Sweep", targets: ["Sweep"]),
        .library(name: "Figures", targets: ["Figures"]),
        .library(name: "Benchmarks", targets: ["Benchmarks"]),
        .executable(name: "pmf", targets: ["pmf"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CGSL", providers: [.apt(["libgsl-dev", "libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "CKernels"),
        .target(name: "Support", dependencies: ["CKernels"]),
        .target(name: "Simplex", dependencies: ["CGSL", "CKernels", "Support", numerics]),
        .target(name: "MRF", dependencies: ["Simplex", "Support", "Gnuplot", numerics]),
        .target(name: "NeuralNet", dependencies: ["CGSL", "CKernels", "CZlib", "Simplex", "Support", numerics]),
        .target(name: "Quantization", dependencies: ["NeuralNet", "Simplex", "Support", "Gnuplot", numerics]),
        .target(name: "Theorems", dependencies: ["CGSL", "Support", "Simplex", "MRF", "NeuralNet", "Quantization", "Gnuplot", numerics]),
        .target(name: "Gnuplot", dependencies: ["Support"]),
        .target(name: "Sweep", dependencies: ["Gnuplot", "Support", "NeuralNet", "Quantization", .product(name: "Yams", package: "Yams")]),
        .target(name: "Figures", dependencies: ["Simplex", "MRF", "NeuralNet", "Gnuplot", "Quantization", "Theorems", "Support"]),
        .target(name: "Benchmarks", dependencies: ["CGSL", "Support", "Simplex", "MRF", "NeuralNet", "Quantization"]),
        .executableTarget(
            name: "pmf",
            dependencies: [
                "Support", "Simplex", "MRF", "NeuralNet", "Quantization", "Theorems", "Gnuplot", "Sweep", "Figures", "Benchmarks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "PottsPMF", dependencies: ["MRF", "Simplex"], path: "examples/PottsPMF"),
        .executableTarget(name: "CustomObjective", dependencies: ["Simplex"], path: "examples/CustomObjective"),
        .executableTarget(name: "BinaryMLP", dependencies: ["NeuralNet", "Quantization", "Simplex"], path: "examples/BinaryMLP"),
        .testTarget(name: "CGSLTests", dependencies: ["CGSL"]),
        .testTarget(name: "CKernelsTests", dependencies: ["CKernels"]),
        .testTarget(name: "SupportTests", dependencies: ["Support"]),
        .testTarget(
            name: "SimplexTests",
            dependencies: ["Simplex", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(name: "MRFTests", dependencies: ["MRF", "Simplex", "Support", "Gnuplot", numerics]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "Simplex"]),
        .testTarget(name: "QuantizationTests", dependencies: ["Quantization", "NeuralNet", "Simplex", "Sweep", "pmf"]),
        .testTarget(name: "TheoremsTests", dependencies: ["Theorems", "Simplex"]),
        .testTarget(name: "GnuplotTests", dependencies: ["Gnuplot"]),
        .testTarget(name: "SweepTests", dependencies: ["Sweep", "Gnuplot", "NeuralNet", "Quantization"], exclude: ["golden"]),
        .testTarget(name: "FiguresTests", dependencies: ["Figures", "Gnuplot", "Quantization", "Sweep"]),
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks", "CGSL", "MRF", "NeuralNet", "Quantization"]),
    ]
)
