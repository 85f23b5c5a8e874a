import NeuralNet
import Quantization

/// The estimated CPU time of the runs of a sweep that share a network, dataset, batch size,
/// method and level set: one iteration measured on this machine, extrapolated to the runs' length
/// (`RunCost`, evaluations included).
public struct CostEstimate: Codable, Equatable, Sendable {
    /// The runs of this kind, in plan order.
    public var runs: [String]
    public var arch, dataset, method, levels: String
    public var batchSize: Int
    /// Iterations of one run.
    public var iterations: Int
    public var secondsPerIteration: Double
    public var secondsPerRun: Double

    enum CodingKeys: String, CodingKey {
        case runs, arch, dataset, method, levels, batchSize = "batch_size", iterations
        case secondsPerIteration = "seconds_per_iteration", secondsPerRun = "seconds_per_run"
    }

    /// One estimate per kind of run among `runs` (each run's id and resolved settings), in order of
    /// first appearance; the length of a kind is that of its last run.
    /// - Throws: `QuantizationError` for settings a run cannot be built from.
    public static func estimates(_ runs: [(id: String, config: RunConfig)]) throws -> [CostEstimate] {
        var order: [String] = [], members: [String: [String]] = [:], configs: [String: RunConfig] = [:]
        for (id, config) in runs {
            let key = [config.arch, config.dataset, "\(config.batchSize)", config.method, config.levels].joined(separator: " ")
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(id)
            configs[key] = config
        }
        return try order.map { key in
            let c = configs[key]!
            guard let arch = Architecture(rawValue: c.arch), let dataset = DatasetKind(rawValue: c.dataset) else {
                throw QuantizationError("unknown architecture or dataset in \(key)")
            }
            let images = c.limit ?? Int((Double(dataset.standardTrainingImages) * (1 - dataset.validationFraction)).rounded())
            let cost = try RunCost.estimate(arch: arch, dataset: dataset, method: c.method, levels: c.levels, batchSize: c.batchSize,
                                            epochs: c.epochs, trainingImages: images, logEvery: c.logEvery,
                                            batchNorm: try BatchNormEvaluation(parsing: c.bn))
            return CostEstimate(runs: members[key]!, arch: c.arch, dataset: c.dataset, method: c.method, levels: c.levels,
                                batchSize: c.batchSize, iterations: cost.iterations, secondsPerIteration: cost.secondsPerIteration,
                                secondsPerRun: cost.seconds)
        }
    }
}
