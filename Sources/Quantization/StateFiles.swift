import Foundation
import NeuralNet
import Support

/// A method's state (`WeightMethod.stateTensors`) as one `.npy` file per tensor in a folder: what
/// `pmf train --write-init` writes, `--init` reads and every step folder of `--record` holds
/// (docs/crosscheck.md). The file of a tensor is its name with `/` written as `.`, so ũ of
/// parameter `1.weight` is `1.weight.utilde.npy` (an m×d array), w̃ of BC `1.weight.wtilde.npy` and
/// a float weight `1.weight.npy`, each shaped like the tensor.
public enum StateFiles {
    /// The file name of state tensor `name`: `1.weight/utilde` → `1.weight.utilde.npy`.
    public static func fileName(_ name: String) -> String { name.replacingOccurrences(of: "/", with: ".") + ".npy" }

    /// Writes every tensor into `folder` (created when missing), each file atomically.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, tensor) in tensors {
            try writeAtomically(NPY.encode(tensor.array, shape: tensor.shape), to: folder.appendingPathComponent(fileName(name)))
        }
    }

    /// Reads `method`'s state from `folder` into its state tensors and tells the method
    /// (`variablesChanged`). Nothing is changed unless every file is present and of the right shape.
    /// - Throws: `QuantizationError`, one line naming the file: a missing file (with the files
    ///   expected), a shape other than the tensor's, a `.npy` in `folder` that is no state tensor of
    ///   `method`, a NaN or infinity, or an unreadable file.
    public static func read(into method: any WeightMethod, from folder: URL) throws {
        let tensors = method.stateTensors
        let expected = tensors.map { fileName($0.name) }
        let present = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        guard !present.isEmpty || FileManager.default.fileExists(atPath: folder.path) else {
            throw QuantizationError("\(folder.path): no such folder; --init reads the files pmf train --write-init writes")
        }
        if let stray = present.filter({ $0.hasSuffix(".npy") && !expected.contains($0) }).sorted().first {
            throw QuantizationError("\(folder.appendingPathComponent(stray).path): not a state tensor of \(method.name), whose files are \(expected.joined(separator: ", "))")
        }
        var values: [[Float]] = []
        for ((name, tensor), file) in zip(tensors, expected) {
            let url = folder.appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw QuantizationError("\(url.path): missing; \(method.name) needs one file per state tensor: \(expected.joined(separator: ", "))")
            }
            let array = try NPY.decode(data, path: url.path)
            guard array.shape == tensor.shape else {
                throw QuantizationError("\(url.path): shape \(array.shape), but \(name) of \(method.name) has shape \(tensor.shape)")
            }
            if let bad = array.values.firstIndex(where: { !$0.isFinite }) {
                throw QuantizationError("\(url.path): entry \(bad) is \(array.values[bad]); a start must be finite")
            }
            values.append(array.values)
        }
        for ((_, tensor), array) in zip(tensors, values) { tensor.assign(array) }
        method.variablesChanged()
    }
}
