import Foundation
import NeuralNet
import Support

/// Writes what a run did, step by step, for replaying it elsewhere (`pmf train --record DIR
/// --record-every K`, docs/crosscheck.md), and keeps each epoch's batch order (`--write-batch-order`).
///
/// The record folder holds
/// - `record.json`: the run's settings (`RunSpec`), K, its iterations, the network's layer list
///   (`ExportLayer`, as an export's manifest holds it), the optimizer's buffer slots (Adam `m`,
///   `v`; SGD `momentum`), the optimizer's variables by state-tensor name, in order, and `arrays`:
///   where each recorded array sits in a step's file (name, shape, offset);
/// - `train-images.npy` [n, H, W, C] (float32, normalised, as trained on) and `train-labels.npy` [n];
/// - `losses.npy`: the batch loss of every step so far (entry i is step i + 1's), float32;
/// - `batch-order.npy`: each epoch's order so far (`BatchOrderFile`);
/// - `step-NNNNNN.npy` after every K-th step, at the run's start (step 0) and after its last step:
///   one float32 vector, the concatenation of the arrays `record.json` lists — the method's state
///   tensors (`state/NAME`, e.g. `state/1.weight/utilde`, shaped as `StateFiles` writes them), the
///   optimizer's buffers (`optimizer/SLOT/NAME`, shaped like their variables) and BatchNorm's
///   running statistics named by path as in an export (`buffers/1.running_mean`). The optimizer's
///   step count is the step's number (a record starts with the run and its optimizer).
///
/// One file per recorded step keeps a record of every step cheap to write and to delete. Every
/// file is written atomically.
public final class RunRecorder: TrainingObserver {
    /// The record folder and its interval K, or nil to keep only the batch orders.
    public let record: (folder: URL, every: Int)?
    /// The run's last iteration (always recorded).
    public let iterations: Int
    /// Every epoch's batch order so far.
    public private(set) var orders: [[Int]] = []
    private var losses: [Float] = []
    /// The name and shape of every array of a step's file, in order, and where it is in a state.
    private let arrays: [(name: String, shape: [Int], value: (TrainerState) -> [Float]?)]

    /// A recorder for a run of `iterations` steps of `method`, stepped by an `optimizer` optimizer,
    /// on `train`; with `record`, writes `record.json` and the training images into a new or empty folder.
    /// - Throws: `QuantizationError` when the record folder is not empty, or a write error.
    public init(record: (folder: URL, every: Int)?, iterations: Int, method: any WeightMethod, optimizer: OptimizerKind,
                settings: RunSpec, train: Dataset, layers: [ExportLayer]) throws {
        precondition(record.map { $0.every >= 1 } ?? true, "records need a positive interval")
        self.record = record
        self.iterations = iterations
        let slots = optimizer.slots, variables = method.variables
        arrays = method.stateTensors.map { name, tensor in ("state/\(name)", tensor.shape, { $0.method[name] }) }
            + slots.flatMap { slot in
                variables.map { variable in
                    let buffer = OptimizerState.bufferName(slot: slot, variable: variable.name)
                    return ("optimizer/\(buffer)", variable.value.shape, { $0.optimizer.buffers[buffer] })
                }
            }
            + layers.flatMap(\.bufferLayouts).map { layout in ("buffers/\(layout.path)", layout.shape, { $0.network.values[layout.path] }) }
        guard case let (folder, every)? = record else { return }
        if let present = try? FileManager.default.contentsOfDirectory(atPath: folder.path), !present.isEmpty {
            throw QuantizationError("\(folder.path): not empty; --record writes into a new or empty folder")
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var offset = 0
        let entries = arrays.map { array in
            defer { offset += array.shape.reduce(1, *) }
            return RecordDescription.Entry(name: array.name, shape: array.shape, offset: offset)
        }
        let description = RecordDescription(settings: settings, every: every, iterations: iterations, optimizerSlots: slots,
                                            variables: variables.map(\.name), layers: layers, arrays: entries, length: offset)
        try writeAtomically(jsonEncoder(.pretty).encode(description), to: folder.appendingPathComponent("record.json"))
        try writeAtomically(NPY.encode(train.images, shape: [train.count] + train.imageShape), to: folder.appendingPathComponent("train-images.npy"))
        try writeAtomically(NPY.encode(indices: train.labels.map(Int.init), shape: [train.count]), to: folder.appendingPathComponent("train-labels.npy"))
    }

    public func epochStarts(_ epoch: Int, order: [Int]) throws {
        orders.append(order)
    }

    public func stepsDone(_ iteration: Int, loss: Float, state: () -> TrainerState) throws {
        if iteration > 0 { losses.append(loss) }
        guard let folder = record?.folder, let every = record?.every, iteration % every == 0 || iteration == iterations else { return }
        let saved = state()
        var flat: [Float] = []
        for (name, shape, value) in arrays {
            guard let values = value(saved), values.count == shape.reduce(1, *) else {
                throw QuantizationError("--record: the state of step \(iteration) has no array \(name) of shape \(shape), which record.json lists")
            }
            flat += values
        }
        try writeAtomically(NPY.encode(flat, shape: [flat.count]), to: folder.appendingPathComponent(String(format: "step-%06d.npy", iteration)))
        try writeAtomically(NPY.encode(losses, shape: [losses.count]), to: folder.appendingPathComponent("losses.npy"))
        try BatchOrderFile.write(orders, to: folder.appendingPathComponent("batch-order.npy"))
    }
}

/// `record.json` of a `RunRecorder` folder.
struct RecordDescription: Codable {
    /// One array of a step's file: entries offset ..< offset + ∏shape.
    struct Entry: Codable {
        var name: String
        var shape: [Int]
        var offset: Int
    }
    var format = "pmfkit-run-record"
    var version = 1
    /// The run's settings.
    var settings: RunSpec
    var every: Int
    var iterations: Int
    var optimizerSlots: [String]
    /// The optimizer's variables by state-tensor name, in its order.
    var variables: [String]
    var layers: [ExportLayer]
    var arrays: [Entry]
    /// Floats in a step's file.
    var length: Int
}
