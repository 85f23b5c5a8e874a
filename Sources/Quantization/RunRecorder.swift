import Foundation
import NeuralNet
import Support

/// Writes what a run did, step by step, for replaying it elsewhere (`pmf train --record DIR
/// --record-every K`, docs/crosscheck.md), and keeps each epoch's batch order (`--write-batch-order`).
///
/// The record folder holds
/// - `record.json`: the run's settings (`RunConfig`), K, its iterations, the network's layer list
///   (`ExportLayer`, as an export's manifest holds it), the optimizer's buffer slots (Adam `m`,
///   `v`; SGD `momentum`), the state tensors (name, file, shape), the optimizer's variables by
///   state-tensor name, in order, and the BatchNorm buffers' paths;
/// - `train-images.npy` [n, H, W, C] (float32, normalised, as trained on) and `train-labels.npy` [n];
/// - `losses.npy`: the batch loss of every step so far (entry i is step i + 1's), float32;
/// - `batch-order.npy`: each epoch's order so far (`BatchOrderFile`);
/// - `step-NNNNNN/` after every K-th step, the run's start (step 0) and its last step: `step.json`
///   (iteration, the last step's loss, the optimizer's step count), `state/` (the method's state,
///   `StateFiles`), `optimizer/SLOT/` (one file per variable, named and shaped like its state tensor) and
///   `buffers/PATH.npy`, BatchNorm's running statistics named by path as in an export
///   (`1.running_mean.npy`, `1.running_var.npy`).
///
/// Everything is written atomically, file by file.
public final class RunRecorder: TrainingObserver {
    /// The record folder and its interval K, or nil to keep only the batch orders.
    public let record: (folder: URL, every: Int)?
    /// The run's last iteration (always recorded).
    public let iterations: Int
    /// Every epoch's batch order so far.
    public private(set) var orders: [[Int]] = []
    private var losses: [Float] = []
    private let method: any WeightMethod
    private let slots: [String]
    /// The state-tensor name and shape of each optimizer variable (`variable.N` for one that is none).
    private let variableNames: [String]
    private let variableShapes: [[Int]]
    /// The paths of the running means and variances, alternating, in forward order.
    private let bufferPaths: [String]

    /// A recorder for a run of `iterations` steps of `method`, stepped by an `optimizer` optimizer,
    /// on `train`; with `record`, writes `record.json` and the training images into a new or empty folder.
    /// - Throws: `QuantizationError` when the record folder is not empty, or a write error.
    public init(record: (folder: URL, every: Int)?, iterations: Int, method: any WeightMethod, optimizer: OptimizerKind,
                settings: RunConfig, train: Dataset, layers: [ExportLayer]) throws {
        precondition(record.map { $0.every >= 1 } ?? true, "records need a positive interval")
        self.record = record
        self.iterations = iterations
        self.method = method
        slots = optimizer == .adam ? ["m", "v"] : ["momentum"]
        let state = method.stateTensors
        variableNames = method.variables.enumerated().map { index, variable in
            state.first { $0.tensor === variable.value }?.name ?? "variable.\(index)"
        }
        variableShapes = method.variables.map(\.value.shape)
        bufferPaths = layers.flatMap(\.bufferLayouts).map(\.path)
        guard case let (folder, every)? = record else { return }
        if let present = try? FileManager.default.contentsOfDirectory(atPath: folder.path), !present.isEmpty {
            throw QuantizationError("\(folder.path): not empty; --record writes into a new or empty folder")
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let description = RecordDescription(
            settings: settings, every: every, iterations: iterations, optimizerSlots: slots,
            state: state.map { .init(name: $0.name, file: StateFiles.fileName($0.name), shape: $0.tensor.shape) },
            variables: variableNames, layers: layers, buffers: bufferPaths)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try writeAtomically(encoder.encode(description), to: folder.appendingPathComponent("record.json"))
        try writeAtomically(NPY.encode(train.images, shape: [train.count] + train.imageShape), to: folder.appendingPathComponent("train-images.npy"))
        try writeAtomically(NPY.encode(indices: train.labels.map(Int.init), shape: [train.count]), to: folder.appendingPathComponent("train-labels.npy"))
    }

    public func epochStarts(_ epoch: Int, order: [Int]) throws {
        orders.append(order)
    }

    public func stepsDone(_ iteration: Int, loss: Float, state: () -> TrainerState) throws {
        if iteration > 0 { losses.append(loss) }
        guard let folder = record?.folder, let every = record?.every, iteration % every == 0 || iteration == iterations else { return }
        let step = folder.appendingPathComponent(String(format: "step-%06d", iteration))
        let saved = state()
        try StateFiles.write(method.stateTensors, to: step.appendingPathComponent("state"))
        let variables = variableNames.count
        guard saved.optimizerBuffers.count == slots.count * variables else {
            throw QuantizationError("--record: the optimizer holds \(saved.optimizerBuffers.count) buffers, not \(slots.count) per variable")
        }
        for (slot, name) in slots.enumerated() {
            let folder = step.appendingPathComponent("optimizer").appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (index, variable) in variableNames.enumerated() {
                let values = saved.optimizerBuffers[slot * variables + index]
                try writeAtomically(NPY.encode(values, shape: variableShapes[index]), to: folder.appendingPathComponent(StateFiles.fileName(variable)))
            }
        }
        let buffers = step.appendingPathComponent("buffers")
        try FileManager.default.createDirectory(at: buffers, withIntermediateDirectories: true)
        let statistics = zip(saved.network.runningMeans, saved.network.runningVariances).flatMap { [$0, $1] }
        for (path, values) in zip(bufferPaths, statistics) {
            try writeAtomically(NPY.encode(values, shape: [values.count]), to: buffers.appendingPathComponent("\(path).npy"))
        }
        let summary = StepSummary(iteration: iteration, loss: iteration > 0 ? Double(loss) : nil, optimizerSteps: saved.optimizerSteps)
        try writeAtomically(JSONEncoder().encode(summary), to: step.appendingPathComponent("step.json"))
        try writeAtomically(NPY.encode(losses, shape: [losses.count]), to: folder.appendingPathComponent("losses.npy"))
        try BatchOrderFile.write(orders, to: folder.appendingPathComponent("batch-order.npy"))
    }
}

/// `record.json` of a `RunRecorder` folder.
struct RecordDescription: Codable {
    struct StateEntry: Codable {
        var name: String
        var file: String
        var shape: [Int]
    }
    var format = "pmfkit-run-record"
    var version = 1
    /// The run's settings.
    var settings: RunConfig
    var every: Int
    var iterations: Int
    var optimizerSlots: [String]
    var state: [StateEntry]
    var variables: [String]
    var layers: [ExportLayer]
    /// BatchNorm's running statistics, by path.
    var buffers: [String]
}

/// `step.json` of a recorded step.
struct StepSummary: Codable {
    var iteration: Int
    var loss: Double?
    var optimizerSteps: Int
}
