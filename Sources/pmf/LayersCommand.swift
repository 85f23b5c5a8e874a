import ArgumentParser
import Foundation
import NeuralNet
import Quantization
import Support

/// `pmf layers`: the layer list of an architecture as an export's manifest.json holds it, so that a
/// client (torch/pmfkit_torch/network.py) builds PMFKit's networks from PMFKit's own description.
struct Layers: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print an architecture's layer list, parameters and buffers as an export's manifest.json lists them (JSON).",
        discussion: """
        The image shape and class count are the dataset's unless --image-shape and --classes give them. \
        pmfkit_torch.network.build(json["layers"]) builds the same network in PyTorch.
        """)

    @Option(help: "Network: \(Architecture.allCases.map(\.rawValue).joined(separator: ", ")).") var arch: Architecture
    @Option(help: "Dataset whose image shape and classes to use (default mnist).") var dataset: DatasetKind = .mnist
    @Option(name: .customLong("image-shape"), help: "Image shape H,W,C instead of the dataset's, e.g. 8,8,1.") var imageShape: String?
    @Option(help: "Number of classes instead of the dataset's.") var classes: Int?
    @Option(help: "Write the JSON to this file instead of standard output.") var out: String?

    struct Array: Encodable {
        let path: String
        let shape: [Int]
        let axes: [String]
    }

    struct Description: Encodable {
        let arch: String
        let imageShape: [Int]
        let imageLayout = "NHWC"
        let classes: Int
        let layers: [ExportLayer]
        let parameters: [Array]
        let buffers: [Array]
    }

    func run() throws {
        var (shape, count) = dataset.imageShapeAndClasses
        if let imageShape {
            let parts = imageShape.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 3, parts.allSatisfy({ $0.map { (1 ... 1 << 16).contains($0) } ?? false }) else {
                throw CommandError("--image-shape is '\(imageShape)'; it must be H,W,C with each in 1 … 65536, e.g. 28,28,1")
            }
            shape = parts.compactMap { $0 }
        }
        if let classes {
            guard (1 ... 1 << 20).contains(classes) else { throw CommandError("--classes is \(classes); it must be in 1 … 1048576") }
            count = classes
        }
        let side = arch.minimumImageSide
        guard shape[0] >= side, shape[1] >= side else {
            throw CommandError("image shape \(shape): \(arch.rawValue) needs images of at least \(side)×\(side) pixels (pass --image-shape or another --dataset)")
        }
        let model = arch.build(imageShape: shape, classes: count)
        let layers = try ExportLayer.describe(model)
        let arrays = { (layouts: [ArrayLayout]) in layouts.map { Array(path: $0.path, shape: $0.shape, axes: $0.axes) } }
        let description = Description(arch: arch.rawValue, imageShape: shape, classes: count, layers: layers,
                                      parameters: arrays(layers.flatMap(\.parameterLayouts)), buffers: arrays(layers.flatMap(\.bufferLayouts)))
        let text = try jsonText(description, .pretty) + "\n"
        if let out { try writeAtomically(text, to: URL(fileURLWithPath: out)) } else { print(text, terminator: "") }
    }
}

extension Architecture {
    /// The smallest image side the network's layers fit (its convolutions and pools leave at least one pixel).
    var minimumImageSide: Int {
        switch self {
        case .mlp, .lenet300, .resnetTiny: 1
        case .lenet5: 16
        case .vgg16, .resnet18: 32
        }
    }
}
