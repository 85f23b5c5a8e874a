import NeuralNet
import Simplex

/// How a lifted method's m×d matrix of scores ũ⁰ starts (`init=` in its method text; for `md` and
/// `pmf[tilde=false]`, which keep u itself, u⁰ = softmax(β₀ũ⁰) of the same ũ⁰).
public enum ScoreInitialization: String, Sendable, CaseIterable {
    /// ũ⁰_jλ = w_j·q_λ from the network's float initialisation w (binary levels: (−w, w)), PMFKit's
    /// own choice: the premise w̃⁰ = ũ⁰q of Prop. 3.1, so PICM's iterates are BC's (docs/paper-notes.md §5).
    case tied
    /// Every one of the d·m entries drawn independently, like a weight of the reference code's lifted
    /// layer, which has d times the outputs (`InitialDistribution(shape:widening: d)`): Xavier-uniform
    /// with fan_out × d for rank ≥ 2, N(0, 0.1²) for rank 1 (docs/paper-notes.md §9).
    case independent
}

/// Row operations shared by the methods that keep an m×d matrix per parameter (ũ or u).
enum LevelRows {
    /// The starting scores ũ⁰ (m×d) of every quantized parameter, in `split.quantized` order.
    /// `independent` draws from `random`: parameter after parameter in that order (the network's
    /// forward order, weight before bias), each ũ in row-major order (row j = the parameter's entry j
    /// in storage order, level λ fastest), one draw per entry.
    /// - Throws: `QuantizationError` when `independent` has no random source.
    static func initialScores(_ split: ParameterSplit, levels q: [Float], start: ScoreInitialization,
                              random: RandomSource?) throws(QuantizationError) -> [Tensor] {
        let d = q.count
        switch start {
        case .tied:
            return split.quantized.map { entry in
                let w = entry.parameter.value, rows = Tensor(shape: [w.count, d])
                for j in 0 ..< w.count { for l in 0 ..< d { rows[j * d + l] = w[j] * q[l] } }
                return rows
            }
        case .independent:
            guard let random else {
                throw QuantizationError("init=independent draws ũ from the run's random source, and none was given; pass the run's RandomSource to makeMethod")
            }
            return split.quantized.map { entry in
                let rows = Tensor(shape: [entry.parameter.count, d])
                InitialDistribution(shape: entry.parameter.value.shape, widening: d).draw(into: rows.data, count: rows.count, using: random)
                return rows
            }
        }
    }

    /// The quantized weights: w_j = q at the largest entry of row j (lowest level on ties),
    /// i.e. hardmax(row)·q.
    static func writeHardLevels(of rows: Tensor, levels q: [Float], into w: Tensor) {
        let d = q.count, values = UnsafeBufferPointer(rows.buffer), ws = w.data
        for j in 0 ..< w.count { ws[j] = q[argmax(UnsafeBufferPointer(rebasing: values[j * d ..< (j + 1) * d]))] }
    }
}
