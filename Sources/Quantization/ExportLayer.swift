import NeuralNet

/// One layer of an exported network as `manifest.json` lists it: its type, its settings, its
/// position (`path`, as in parameter paths) and the paths of its parameters and buffers.
///
/// The layer list is the one description of a network outside PMFKit: `QuantizedExport` writes it
/// from the trained model, `pmf eval` builds the network from it, `pmf layers` prints it for an
/// architecture, and `torch/pmfkit_torch/network.py` builds the same network in PyTorch. Settings
/// a type does not have are absent (nil). Layouts (docs/export.md): activations are NHWC; a Linear
/// weight is [out, in], a Conv2d weight [out, kernelHeight, kernelWidth, in]; biases, BatchNorm's
/// γ, β and running statistics are [features].
public struct ExportLayer: Codable, Equatable, Sendable {
    /// The layer types, named as in the manifest.
    public enum Kind: String, Codable, Sendable {
        case linear, conv2d, batchnorm, relu, flatten, maxpool2d, avgpool2d, residual
    }
    public var type: Kind
    /// Dotted position in the network, e.g. `3` or `5.body.0`; a parameter's path is `path.role`.
    public var path: String
    /// The paths of the layer's own parameters (`path.weight`, `path.bias`), empty for none (a
    /// residual block's parameters are listed by the layers in its body and shortcut).
    public var parameters: [String]
    /// The paths of BatchNorm's running statistics (`path.running_mean`, `path.running_var`).
    public var buffers: [String]?
    /// Linear: input and output features.
    public var inFeatures: Int?, outFeatures: Int?
    /// Conv2d: input and output channels.
    public var inChannels: Int?, outChannels: Int?
    /// Conv2d and pooling: the square window's side and the stride.
    public var kernel: Int?, stride: Int?
    /// Conv2d: zero padding on every side.
    public var padding: Int?
    /// Linear and Conv2d: whether the layer adds a bias.
    public var bias: Bool?
    /// BatchNorm: features, ε (in the denominator √(σ² + ε)), momentum of the running statistics,
    /// and whether it has γ and β.
    public var features: Int?, epsilon: Double?, momentum: Double?, affine: Bool?
    /// Residual: y = body(x) + shortcut(x), the identity when `shortcut` is absent.
    public var body: [ExportLayer]?, shortcut: [ExportLayer]?

    init(_ type: Kind, path: String) {
        self.type = type
        self.path = path
        parameters = []
    }
}

/// One array of an exported network: a parameter or a BatchNorm running statistic.
public struct ArrayLayout: Equatable, Sendable {
    /// `layer path.role`, e.g. `1.weight` or `2.running_var`.
    public var path: String
    public var shape: [Int]
    /// What each axis indexes, e.g. ["out", "kernelHeight", "kernelWidth", "in"].
    public var axes: [String]
}

extension ExportLayer {
    /// The manifest's description of `model`'s layers, one entry per layer of the `Sequential`.
    /// - Throws: `QuantizationError` for a model that is not a `Sequential` or a layer type the
    ///   manifest cannot describe.
    public static func describe(_ model: any Layer) throws(QuantizationError) -> [ExportLayer] {
        guard let chain = model as? Sequential else { throw QuantizationError("export: the network is a \(model.description), not a Sequential of layers") }
        return try describe(chain, prefix: "")
    }

    private static func describe(_ chain: Sequential, prefix: String) throws(QuantizationError) -> [ExportLayer] {
        var layers: [ExportLayer] = []
        for (index, layer) in chain.layers.enumerated() {
            layers.append(try describe(layer, path: prefix.isEmpty ? "\(index)" : "\(prefix).\(index)"))
        }
        return layers
    }

    private static func describe(_ layer: any Layer, path: String) throws(QuantizationError) -> ExportLayer {
        var entry: ExportLayer
        switch layer {
        case let linear as Linear:
            entry = ExportLayer(.linear, path: path)
            (entry.inFeatures, entry.outFeatures, entry.bias) = (linear.inputs, linear.outputs, linear.bias != nil)
        case let conv as Conv2d:
            entry = ExportLayer(.conv2d, path: path)
            (entry.inChannels, entry.outChannels, entry.bias) = (conv.inChannels, conv.outChannels, conv.bias != nil)
            (entry.kernel, entry.stride, entry.padding) = (conv.kernel, conv.stride, conv.padding)
        case let norm as BatchNorm:
            entry = ExportLayer(.batchnorm, path: path)
            // Float's shortest text as a Double (1e-05, not 9.99999974737875e-06), which reads back as the same Float.
            (entry.features, entry.affine) = (norm.features, norm.weight != nil)
            (entry.epsilon, entry.momentum) = (Double("\(norm.epsilon)"), Double("\(norm.momentum)"))
        case is ReLU:
            entry = ExportLayer(.relu, path: path)
        case is Flatten:
            entry = ExportLayer(.flatten, path: path)
        case let pool as MaxPool2d:
            entry = ExportLayer(.maxpool2d, path: path)
            (entry.kernel, entry.stride) = (pool.kernel, pool.stride)
        case let pool as AvgPool2d:
            entry = ExportLayer(.avgpool2d, path: path)
            (entry.kernel, entry.stride) = (pool.kernel, pool.stride)
        case let block as Residual:
            entry = ExportLayer(.residual, path: path)
            entry.body = try describe(block.body, prefix: "\(path).body")
            entry.shortcut = try block.shortcut.map { chain throws(QuantizationError) in try describe(chain, prefix: "\(path).shortcut") }
        default:
            throw QuantizationError("export: layer \(path) (\(layer.description)) has no manifest description")
        }
        if entry.type != .residual {
            entry.parameters = entry.parameterLayouts.map(\.path)
            if entry.type == .batchnorm { entry.buffers = entry.bufferLayouts.map(\.path) }
        }
        return entry
    }

    /// The parameters of this layer and the layers inside it, in the order of `namedParameters`, as
    /// the layer's settings imply them.
    public var parameterLayouts: [ArrayLayout] {
        func layouts(_ weight: [Int], _ axes: [String], bias: Bool?, _ biasAxis: String) -> [ArrayLayout] {
            [ArrayLayout(path: "\(path).weight", shape: weight, axes: axes)]
                + (bias == true ? [ArrayLayout(path: "\(path).bias", shape: [weight[0]], axes: [biasAxis])] : [])
        }
        switch type {
        case .linear:
            return layouts([outFeatures ?? 0, inFeatures ?? 0], ["out", "in"], bias: bias, "out")
        case .conv2d:
            let (c, o, k) = (inChannels ?? 0, outChannels ?? 0, kernel ?? 0)
            return layouts([o, k, k, c], ["out", "kernelHeight", "kernelWidth", "in"], bias: bias, "out")
        case .batchnorm:
            return affine == true ? layouts([features ?? 0], ["features"], bias: true, "features") : []
        case .residual:
            return ((body ?? []) + (shortcut ?? [])).flatMap(\.parameterLayouts)
        case .relu, .flatten, .maxpool2d, .avgpool2d:
            return []
        }
    }

    /// BatchNorm's running mean and variance for this layer and the layers inside it, in forward order.
    public var bufferLayouts: [ArrayLayout] {
        switch type {
        case .batchnorm:
            return ["running_mean", "running_var"].map { ArrayLayout(path: "\(path).\($0)", shape: [features ?? 0], axes: ["features"]) }
        case .residual:
            return ((body ?? []) + (shortcut ?? [])).flatMap(\.bufferLayouts)
        default:
            return []
        }
    }
}
