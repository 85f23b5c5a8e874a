// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "PMFKit",
    products: [
        .library(name: "Simplex", targets: ["Simplex"]),
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .library(name: "Gnuplot", targets: ["Gnuplot"]),
        .library(name: "Quantization", targets: ["Quantization"]),
        .executable(name: "pmf", targets: ["pmf"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CGSL",
            providers: [.apt(["libgsl-dev", "libopenblas-dev"])]
        ),
        .target(
            name: "Simplex",
            dependencies: ["CGSL", .product(name: "RealModule", package: "swift-numerics")]
        ),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "NeuralNet",
            dependencies: ["CGSL", "CZlib", "Simplex", .product(name: "RealModule", package: "swift-numerics")]
        ),
        .target(name: "Gnuplot"),
        .target(
            name: "Quantization",
            dependencies: ["NeuralNet", "Simplex", "Gnuplot", .product(name: "RealModule", package: "swift-numerics")]
        ),
        .executableTarget(
            name: "pmf",
            dependencies: [
                "Simplex", "CGSL", "NeuralNet", "Gnuplot", "Quantization",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "CGSLTests", dependencies: ["CGSL"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "Simplex"]),
        .testTarget(name: "GnuplotTests", dependencies: ["Gnuplot"]),
        .testTarget(name: "QuantizationTests", dependencies: ["Quantization", "NeuralNet", "Simplex", "pmf"]),
        .testTarget(
            name: "SimplexTests",
            dependencies: [
                "Simplex",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
    ]
)
