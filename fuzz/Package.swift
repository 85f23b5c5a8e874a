// swift-tools-version: 6.1
import PackageDescription

/// libFuzzer targets for every file format PMFKit reads (docs/tests.md, "Fuzzing"). A package of its
/// own so that the main Package.swift stays free of sanitizer settings: build it with
/// `swift build -Xswiftc -sanitize=fuzzer -Xswiftc -sanitize=address` (or `make fuzz`).
let package = Package(
    name: "PMFKitFuzz",
    dependencies: [.package(name: "PMFKit", path: "..")],
    targets: [
        .target(name: "CFuzzer"),
        .target(name: "FuzzDriver", dependencies: ["CFuzzer"]),
        .executableTarget(name: "FuzzModel", dependencies: ["FuzzDriver", .product(name: "MRF", package: "PMFKit")]),
        .executableTarget(name: "FuzzDataset", dependencies: ["FuzzDriver", .product(name: "NeuralNet", package: "PMFKit")]),
        .executableTarget(name: "FuzzExport", dependencies: ["FuzzDriver", .product(name: "Quantization", package: "PMFKit")]),
        .executableTarget(
            name: "FuzzCheckpoint",
            dependencies: ["FuzzDriver", .product(name: "Quantization", package: "PMFKit"), .product(name: "NeuralNet", package: "PMFKit")]
        ),
        .executableTarget(name: "FuzzSweep", dependencies: ["FuzzDriver", .product(name: "Sweep", package: "PMFKit"), .product(name: "Quantization", package: "PMFKit")]),
        .executableTarget(
            name: "FuzzSpec",
            dependencies: [
                "FuzzDriver", .product(name: "Support", package: "PMFKit"), .product(name: "MRF", package: "PMFKit"),
                .product(name: "Quantization", package: "PMFKit"), .product(name: "NeuralNet", package: "PMFKit"),
            ]
        ),
    ]
)
