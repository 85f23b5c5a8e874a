import NeuralNet

/// The names of a checkpoint's arrays: every array of a `TrainerState` under a name that says
/// which part of the state it belongs to and what it is.
///
/// - `network/NAME`: the network's parameters and BatchNorm statistics (`NetworkSnapshot`),
///   e.g. `network/1.weight`, `network/2.running_mean`;
/// - `method/NAME`: the method's state tensors (`WeightMethod.stateTensors`), e.g.
///   `method/1.weight/utilde`;
/// - `optimizer/SLOT/VARIABLE`: the optimizer's buffers (`OptimizerState`), e.g.
///   `optimizer/m/1.weight/utilde`, `optimizer/momentum/3.bias`;
/// - `previousQuantized`: the quantized weights at the last trace row, all parameters concatenated;
/// - `best/quantized/NAME`, `best/fractional/NAME`: the best network's two snapshots, named as
///   under `network/` (present exactly when the metadata records a best model).
enum CheckpointEntries {
    static let network = "network/", method = "method/", optimizer = "optimizer/"
    static let bestQuantized = "best/quantized/", bestFractional = "best/fractional/"
    static let previousQuantized = "previousQuantized"
    /// Every prefix, in the order the reader tries them (none is a prefix of another).
    static let prefixes = [network, method, optimizer, bestQuantized, bestFractional]

    /// Every array of `state` by entry name.
    static func entries(of state: TrainerState) -> [String: [Float]] {
        var entries = [previousQuantized: state.previousQuantized]
        func add(_ prefix: String, _ arrays: [String: [Float]]) {
            for (name, values) in arrays { entries[prefix + name] = values }
        }
        add(network, state.network.values)
        add(method, state.method)
        add(optimizer, state.optimizer.buffers)
        if let best = state.best {
            add(bestQuantized, best.quantized.values)
            add(bestFractional, best.fractional.values)
        }
        return entries
    }

    /// The arrays of `entries` by part of the state (keyed by prefix, names without it) and the
    /// `previousQuantized` array.
    /// - Throws: `QuantizationError` naming `path` and the entry when a name has no known prefix
    ///   or `previousQuantized` is missing.
    static func parts(of entries: [String: [Float]], path: String) throws(QuantizationError)
        -> (parts: [String: [String: [Float]]], previousQuantized: [Float]) {
        var parts = Dictionary(uniqueKeysWithValues: prefixes.map { ($0, [String: [Float]]()) })
        for (name, values) in entries where name != previousQuantized {
            guard let prefix = prefixes.first(where: name.hasPrefix) else {
                throw QuantizationError("\(path): checkpoint entry \(name) is of no part of a training state (its name must start with \(prefixes.joined(separator: ", ")) or be \(previousQuantized))")
            }
            parts[prefix]![String(name.dropFirst(prefix.count))] = values
        }
        guard let previous = entries[previousQuantized] else {
            throw QuantizationError("\(path): checkpoint entry \(previousQuantized) is missing")
        }
        return (parts, previous)
    }
}
