/// The parameter values and BatchNorm running statistics of a network at one moment, by name as
/// PyTorch's `state_dict` names them: each parameter by its path (`1.weight`), each BatchNorm
/// layer's statistics as `PATH.running_mean` and `PATH.running_var`.
public struct NetworkSnapshot: Sendable, Equatable {
    /// Every array by name.
    public var values: [String: [Float]]

    public init(values: [String: [Float]]) { self.values = values }

    /// Copies the network's current values.
    public init(_ model: any Layer) {
        let (parameters, norms) = Self.layout(of: model)
        values = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.parameter.value.array) })
        for (path, norm) in norms {
            values[Self.statisticName(path, "running_mean")] = norm.runningMean
            values[Self.statisticName(path, "running_var")] = norm.runningVariance
        }
    }

    /// Writes the values into `model`'s parameters and BatchNorm statistics, matched by name.
    /// - Throws: `StateMismatch` as `arrays(for:group:)` (nothing is written then).
    public func restore(_ model: any Layer) throws(StateMismatch) {
        let (parameters, norms) = Self.layout(of: model)
        var found = try arrays(for: model)[...]
        for (_, parameter) in parameters { parameter.value.assign(found.removeFirst()) }
        for (_, norm) in norms { norm.setRunningStatistics(mean: found.removeFirst(), variance: found.removeFirst()) }
    }

    /// The arrays `model` takes, in its order (parameters, then each BatchNorm's mean and variance),
    /// matched by name.
    /// - Throws: `StateMismatch` naming ("`group` entry NAME") the first array `model` has and the
    ///   snapshot lacks, else the first of another size, else the first the network does not have.
    public func arrays(for model: any Layer, group: String = "network") throws(StateMismatch) -> [[Float]] {
        let (parameters, norms) = Self.layout(of: model)
        let expected = parameters.map { ($0.name, $0.parameter.count) } + norms.flatMap { path, norm in
            ["running_mean", "running_var"].map { (Self.statisticName(path, $0), norm.features) }
        }
        return try matchByName(expected, in: values, group: group)
    }

    /// `model`'s named parameters and its BatchNorm layers with their paths.
    private static func layout(of model: any Layer)
        -> (parameters: [(name: String, parameter: Parameter)], norms: [(path: String, norm: BatchNorm)]) {
        (model.namedParameters(prefix: ""), namedLeafLayers(model).compactMap { path, layer in (layer as? BatchNorm).map { (path, $0) } })
    }

    /// `PATH.statistic` (`statistic` alone for a network that is one BatchNorm layer).
    private static func statisticName(_ path: String, _ statistic: String) -> String { path.isEmpty ? statistic : "\(path).\(statistic)" }
}

/// The best-validation network so far.
public struct BestModel: Sendable, Equatable {
    public var accuracy: Double
    public var iteration: Int
    /// The network with its quantized weights.
    public var quantized: NetworkSnapshot
    /// The same network with its fractional weights.
    public var fractional: NetworkSnapshot

    public init(accuracy: Double, iteration: Int, quantized: NetworkSnapshot, fractional: NetworkSnapshot) {
        self.accuracy = accuracy
        self.iteration = iteration
        self.quantized = quantized
        self.fractional = fractional
    }
}

/// Everything a run needs to continue exactly where it stopped (see `Trainer.run`): resuming from
/// a state taken after iteration k reproduces the uninterrupted run bit for bit.
public struct TrainerState: Sendable {
    /// Iterations completed.
    public var iteration: Int
    /// The network's parameter values and BatchNorm running statistics.
    public var network: NetworkSnapshot
    /// The method's state tensors by name (`WeightMethod.stateTensors`: `1.weight/utilde`, …).
    public var method: [String: [Float]]
    /// The optimizer's step count and buffers by name (`Optimizer.state`: `m/1.weight/utilde`, …).
    public var optimizer: OptimizerState
    /// The random source's internal state.
    public var random: [UInt8]
    /// The batch loader's order in the current epoch.
    public var order: [Int]
    /// The partial trace window: loss sum, correct predictions, samples seen, steps.
    public var windowLoss: Double
    public var windowCorrect: Int
    public var windowSeen: Int
    public var windowSteps: Int
    /// The quantized weights at the previous trace row (for the flip ratio).
    public var previousQuantized: [Float]
    public var trace: [TraceRow]
    public var best: BestModel?
    /// Seconds spent in training steps so far.
    public var trainingSeconds: Double
    /// Where the state was read from (a checkpoint file), named by the error when it does not fit
    /// the run resumed from it; nil for a state handed over in memory.
    public var source: String?

    public init(iteration: Int, network: NetworkSnapshot, method: [String: [Float]], optimizer: OptimizerState,
                random: [UInt8], order: [Int], windowLoss: Double, windowCorrect: Int, windowSeen: Int, windowSteps: Int,
                previousQuantized: [Float], trace: [TraceRow], best: BestModel?, trainingSeconds: Double, source: String? = nil) {
        self.iteration = iteration
        self.network = network
        self.method = method
        self.optimizer = optimizer
        self.random = random
        self.order = order
        self.windowLoss = windowLoss
        self.windowCorrect = windowCorrect
        self.windowSeen = windowSeen
        self.windowSteps = windowSteps
        self.previousQuantized = previousQuantized
        self.trace = trace
        self.best = best
        self.trainingSeconds = trainingSeconds
        self.source = source
    }
}
