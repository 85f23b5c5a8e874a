import NeuralNet

/// The largest channel count, feature count, kernel, stride or padding a manifest may give (2²⁴).
private let largestSetting = 1 << 24

extension ExportLayer {
    /// Checks a manifest's layer list for NHWC inputs of shape `input` (batch axis first) and plans
    /// the PMFKit network it describes: every layer has its type's settings in range and fits the
    /// shape it receives, and its path and parameter paths are the ones its position implies.
    /// - Returns: the output shape and a function building the network (parameters zero until
    ///   loaded), which allocates nothing until called.
    /// - Throws: `QuantizationError` naming `file`, the layer's path, the field and its value.
    static func plan(_ layers: [ExportLayer], prefix: String, input: [Int], file: String) throws(QuantizationError)
        -> (output: [Int], make: () -> Sequential) {
        var shape = input
        var makers: [() -> any Layer] = []
        for (index, layer) in layers.enumerated() {
            let (output, make) = try layer.plan(path: prefix.isEmpty ? "\(index)" : "\(prefix).\(index)", input: shape, file: file)
            shape = output
            makers.append(make)
        }
        return (shape, { Sequential(makers.map { $0() }) })
    }

    private func plan(path expected: String, input: [Int], file: String) throws(QuantizationError)
        -> (output: [Int], make: () -> any Layer) {
        let name = "\(file): layer \(expected)"
        func fail(_ field: String, _ value: Any, _ rule: String) -> QuantizationError {
            QuantizationError("\(name): \(field) is \(value); it must be \(rule)")
        }
        func setting<T>(_ value: T?, _ field: String) throws(QuantizationError) -> T {
            guard let value else { throw QuantizationError("\(name) (\(type.rawValue)) has no \(field)") }
            return value
        }
        func count(_ value: Int?, _ field: String, from least: Int = 1) throws(QuantizationError) -> Int {
            let value = try setting(value, field)
            guard (least ... largestSetting).contains(value) else { throw fail(field, value, "in \(least) … \(largestSetting)") }
            return value
        }
        func needs(_ rank: Int, _ description: String, _ fits: Bool = true) throws(QuantizationError) {
            guard input.count == rank, fits else { throw QuantizationError("\(name) (\(type.rawValue)) gets input of shape \(input); it needs \(description)") }
        }
        guard path == expected else { throw fail("path", "\"\(path)\"", "\"\(expected)\" (its position)") }
        let implied = type == .residual ? [] : parameterLayouts.map(\.path)
        guard parameters == implied else { throw fail("parameters", parameters, "\(implied)") }
        let impliedBuffers = type == .batchnorm ? bufferLayouts.map(\.path) : nil
        guard buffers == impliedBuffers else { throw fail("buffers", buffers.map { "\($0)" } ?? "absent", impliedBuffers.map { "\($0)" } ?? "absent") }
        switch type {
        case .linear:
            let (i, o, b) = (try count(inFeatures, "inFeatures"), try count(outFeatures, "outFeatures"), try setting(bias, "bias"))
            try needs(2, "[N, \(i)]", input.last == i)
            return ([input[0], o], { Linear(i, o, bias: b) })
        case .conv2d:
            let (c, o, b) = (try count(inChannels, "inChannels"), try count(outChannels, "outChannels"), try setting(bias, "bias"))
            let (k, s, p) = (try count(kernel, "kernel"), try count(stride, "stride"), try count(padding, "padding", from: 0))
            try needs(4, "NHWC images with \(c) channels of at least \(k) − 2·\(p) pixels a side",
                      input.last == c && input.dropFirst().prefix(2).allSatisfy { $0 + 2 * p >= k })
            let side = { (extent: Int) in (extent + 2 * p - k) / s + 1 }
            return ([input[0], side(input[1]), side(input[2]), o], { Conv2d(c, o, kernel: k, stride: s, padding: p, bias: b) })
        case .batchnorm:
            let (f, a) = (try count(features, "features"), try setting(affine, "affine"))
            let (e, m) = (try setting(epsilon, "epsilon"), try setting(momentum, "momentum"))
            guard e >= 0, Float(e).isFinite else { throw fail("epsilon", e, "finite and ≥ 0") }
            guard (0 ... 1).contains(m) else { throw fail("momentum", m, "in 0 … 1") }
            try needs(input.count, "\(f) features on the last axis", input.count >= 2 && input.last == f)
            return (input, { BatchNorm(f, affine: a, epsilon: Float(e), momentum: Float(m)) })
        case .relu:
            return (input, { ReLU() })
        case .flatten:
            var features = 1
            for extent in input.dropFirst() {
                let (product, overflow) = features.multipliedReportingOverflow(by: extent)
                guard !overflow, product <= ExportManifest.maximumValues else { throw fail("its input shape", input, "at most \(ExportManifest.maximumValues) values per image") }
                features = product
            }
            try needs(input.count, "a batch axis and at least one more", input.count >= 2)
            return ([input[0], features], { Flatten() })
        case .maxpool2d, .avgpool2d:
            let (k, s) = (try count(kernel, "kernel"), try count(stride, "stride"))
            try needs(4, "NHWC images of at least \(k) pixels a side", input.dropFirst().prefix(2).allSatisfy { $0 >= k })
            let output = [input[0], (input[1] - k) / s + 1, (input[2] - k) / s + 1, input[3]]
            return (output, type == .maxpool2d ? { MaxPool2d(k, stride: s) } : { AvgPool2d(k, stride: s) })
        case .residual:
            let main = try Self.plan(try setting(body, "body"), prefix: "\(path).body", input: input, file: file)
            let skip = try shortcut.map { layers throws(QuantizationError) in try Self.plan(layers, prefix: "\(path).shortcut", input: input, file: file) }
            guard main.output == skip?.output ?? input else {
                throw QuantizationError("\(name): the body gives shape \(main.output) but the shortcut \(skip?.output ?? input); they must agree")
            }
            return (main.output, { Residual(main.make(), shortcut: skip?.make()) })
        }
    }
}
