/// The networks of the paper's experiments (docs/paper-notes.md §6), on NHWC images.
public enum Architecture: String, CaseIterable, Sendable {
    /// A small multilayer perceptron: Flatten, Linear(in→100), ReLU, Linear(100→classes).
    case mlp
    /// LeNet-300: FC 784→300, BN, ReLU, FC 300→100, BN, ReLU, FC 100→10.
    ///
    /// As everywhere in the paper's experiments, BN has no learnable parameters (docs/paper-notes.md §6), so
    /// every parameter is a weight or bias that a quantization method can binarise. (The reference
    /// LeNet-300 code uses affine BN and binarises γ and β too; on Fashion-MNIST that costs every
    /// quantized method 1–2 points and REF nothing.)
    case lenet300
    /// LeNet-5: conv 1→20 5×5, BN, ReLU, maxpool 2; conv 20→50 5×5, BN, ReLU, maxpool 2;
    /// FC 800→500, BN, ReLU, FC 500→10 (BN without learnable parameters, as for LeNet-300).
    case lenet5
    /// VGG-16 for 32×32 images: 13 3×3 convolutions with bias, BN without affine parameters, ReLU,
    /// five max-pools; classifier FC 512→512, BN, ReLU, FC 512→512, BN, ReLU, FC 512→classes.
    case vgg16
    /// ResNet-18 for 32×32 images: 3×3 stem, four stages of two BasicBlocks (64/128/256/512,
    /// strides 1/2/2/2, 1×1 conv + BN shortcut on shape change), 4×4 average pool, FC 512→classes.
    /// No conv bias; BN without affine parameters.
    case resnet18
    /// A tiny residual network for quick checks (the cross-check, docs/crosscheck.md): 3×3 stem
    /// C→8 with BN and ReLU; a BasicBlock 8→8 (identity shortcut) and a BasicBlock 8→16 of stride 2
    /// (1×1 conv + BN shortcut), each followed by ReLU; an average pool of side min(⌈H/2⌉, ⌈W/2⌉),
    /// which leaves 1×1 of a square image (28×28×1, 32×32×3); FC 16→classes. No conv bias; BN
    /// without affine parameters.
    case resnetTiny = "resnet-tiny"

    /// Builds the network for images of shape [H, W, C] and `classes` outputs (untrained; see
    /// `initialize(_:using:)`), its convolutions forming their products by `convolution`.
    public func build(imageShape: [Int], classes: Int, convolution: ConvolutionAlgorithm = .winograd) -> Sequential {
        func conv(_ input: Int, _ output: Int, kernel: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true) -> Conv2d {
            Conv2d(input, output, kernel: kernel, stride: stride, padding: padding, bias: bias, algorithm: convolution)
        }
        let (h, w, c) = (imageShape[0], imageShape[1], imageShape[2])
        switch self {
        case .mlp:
            return Sequential([Flatten(), Linear(h * w * c, 100), ReLU(), Linear(100, classes)])
        case .lenet300:
            return Sequential([Flatten(), Linear(h * w * c, 300), BatchNorm(300, affine: false), ReLU(),
                               Linear(300, 100), BatchNorm(100, affine: false), ReLU(), Linear(100, classes)])
        case .lenet5:
            let side = ((h - 4) / 2 - 4) / 2, across = ((w - 4) / 2 - 4) / 2
            return Sequential([conv(c, 20, kernel: 5), BatchNorm(20, affine: false), ReLU(), MaxPool2d(2),
                               conv(20, 50, kernel: 5), BatchNorm(50, affine: false), ReLU(), MaxPool2d(2), Flatten(),
                               Linear(50 * side * across, 500), BatchNorm(500, affine: false), ReLU(), Linear(500, classes)])
        case .vgg16:
            var layers: [any Layer] = []
            var channels = c
            for width in [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0] {
                if width == 0 {
                    layers.append(MaxPool2d(2))
                } else {
                    layers += [conv(channels, width, kernel: 3, padding: 1), BatchNorm(width, affine: false), ReLU()]
                    channels = width
                }
            }
            let flat = 512 * (h / 32) * (w / 32)
            layers += [Flatten(), Linear(flat, 512), BatchNorm(512, affine: false), ReLU(),
                       Linear(512, 512), BatchNorm(512, affine: false), ReLU(), Linear(512, classes)]
            return Sequential(layers)
        case .resnet18:
            var layers: [any Layer] = [conv(c, 64, kernel: 3, padding: 1, bias: false), BatchNorm(64, affine: false), ReLU()]
            var channels = 64
            for (width, stride) in [(64, 1), (128, 2), (256, 2), (512, 2)] {
                for block in 0 ..< 2 {
                    let s = block == 0 ? stride : 1
                    layers += [Self.basicBlock(channels, width, stride: s, algorithm: convolution), ReLU()]
                    channels = width
                }
            }
            layers += [AvgPool2d(4), Flatten(), Linear(512 * (h / 32) * (w / 32), classes)]
            return Sequential(layers)
        case .resnetTiny:
            let (halfH, halfW) = ((h + 1) / 2, (w + 1) / 2), side = min(halfH, halfW)
            return Sequential([conv(c, 8, kernel: 3, padding: 1, bias: false), BatchNorm(8, affine: false), ReLU(),
                               Self.basicBlock(8, 8, stride: 1, algorithm: convolution), ReLU(), Self.basicBlock(8, 16, stride: 2, algorithm: convolution), ReLU(),
                               AvgPool2d(side), Flatten(), Linear(16 * (halfH / side) * (halfW / side), classes)])
        }
    }

    private static func basicBlock(_ input: Int, _ output: Int, stride: Int, algorithm: ConvolutionAlgorithm) -> Residual {
        let body = Sequential([Conv2d(input, output, kernel: 3, stride: stride, padding: 1, bias: false, algorithm: algorithm),
                               BatchNorm(output, affine: false), ReLU(),
                               Conv2d(output, output, kernel: 3, padding: 1, bias: false, algorithm: algorithm),
                               BatchNorm(output, affine: false)])
        let shortcut = stride == 1 && input == output ? nil
            : Sequential([Conv2d(input, output, kernel: 1, stride: stride, bias: false, algorithm: algorithm),
                          BatchNorm(output, affine: false)])
        return Residual(body, shortcut: shortcut)
    }
}

/// A printed summary: one row per layer with its output shape and parameter count, and the total.
public func summary(of model: any Layer, imageShape: [Int], batch: Int = 1) -> String {
    let rows = model.summaryRows(prefix: "", input: [batch] + imageShape)
    let pathWidth = max(5, rows.map(\.path.count).max() ?? 0)
    let layerWidth = max(5, rows.map(\.layer.count).max() ?? 0)
    func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
    var lines = [pad("path", pathWidth) + "  " + pad("layer", layerWidth) + "  " + pad("output", 18) + "  params"]
    for row in rows {
        let shape = "[" + row.outputShape.map(String.init).joined(separator: ", ") + "]"
        lines.append(pad(row.path, pathWidth) + "  " + pad(row.layer, layerWidth) + "  " + pad(shape, 18) + "  \(row.parameterCount)")
    }
    let total = rows.reduce(0) { $0 + $1.parameterCount }
    lines.append("total parameters: \(total)")
    return lines.joined(separator: "\n")
}
