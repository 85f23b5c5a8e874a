// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "PMFKit",
    products: [
        .library(name: "Simplex", targets: ["Simplex"]),
        .library(name: "MRF", targets: ["MRF"]),
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
        .target(name: "MRF", dependencies: ["Simplex", .product(name: "RealModule", package: "swift-numerics")]),
        .executableTarget(
            name: "pmf",
            dependencies: [
                "Simplex", "MRF", "CGSL",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "CGSLTests", dependencies: ["CGSL"]),
        .testTarget(
            name: "SimplexTests",
            dependencies: [
                "Simplex",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "MRFTests",
            dependencies: ["MRF", "Simplex", .product(name: "RealModule", package: "swift-numerics")]
        ),
    ]
)
