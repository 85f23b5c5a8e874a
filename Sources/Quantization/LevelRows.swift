import NeuralNet
import Simplex

/// Row operations shared by the methods that keep an m×d matrix per parameter (ũ or u).
enum LevelRows {
    /// The starting scores ũ⁰_jλ = w_j·q_λ from a parameter's float initialisation (for binary
    /// levels the anchor's stack(−w, w)).
    static func initialScores(from w: Tensor, levels q: [Float]) -> Tensor {
        let d = q.count, rows = Tensor(shape: [w.count, d])
        for j in 0 ..< w.count { for l in 0 ..< d { rows[j * d + l] = w[j] * q[l] } }
        return rows
    }

    /// The quantized weights: w_j = q at the largest entry of row j (lowest level on ties),
    /// i.e. hardmax(row)·q.
    static func writeHardLevels(of rows: Tensor, levels q: [Float], into w: Tensor) {
        let d = q.count, values = UnsafeBufferPointer(rows.buffer), ws = w.data
        for j in 0 ..< w.count { ws[j] = q[argmax(UnsafeBufferPointer(rebasing: values[j * d ..< (j + 1) * d]))] }
    }
}
