// Plugging your own objective into the shared update rules.
//
//     swift run CustomObjective
//
// Problem: choose binary weights w ∈ {−1, 1}⁸ minimising L(w) = ‖Xw − y‖² — a tiny quantized
// least-squares fit. Relax each weight to a row uⱼ of the simplex with wⱼ = ⟨uⱼ, q⟩, so
// L̃(u) = L(u·q) and ∂L̃/∂uⱼ = (∂L/∂wⱼ) q. Proximal mean-field then iterates
// u ← softmax(β(u − η∇L̃(u))) with β growing, which ends at a vertex: a binary w. The answer is
// compared with brute force over all 2⁸ labellings.
import Simplex

let random = RandomSource(seed: 3)
let (m, n) = (8, 20)
let q = QuantizationLevels.binary
let x = (0 ..< n).map { _ in (0 ..< m).map { _ in random.gaussian() } }
let truth = (0 ..< m).map { _ in q.values[random.integer(below: 2)] }
let y = x.map { row in zip(row, truth).reduce(0) { $0 + $1.0 * $1.1 } + 0.1 * random.gaussian() }

func loss(_ w: [Double]) -> Double {
    zip(x, y).reduce(0) { total, sample in
        let residual = zip(sample.0, w).reduce(0) { $0 + $1.0 * $1.1 } - sample.1
        return total + residual * residual
    }
}

func lossGradient(_ w: [Double]) -> [Double] {
    var g = [Double](repeating: 0, count: m)
    for (row, target) in zip(x, y) {
        let residual = zip(row, w).reduce(0) { $0 + $1.0 * $1.1 } - target
        for j in 0 ..< m { g[j] += 2 * residual * row[j] }
    }
    return g
}

// Your objective, in u-space: the gradient of L(u·q) is (∂L/∂w)·qᵀ row by row.
var u = RowMatrix<Double>(rows: m, columns: q.count, repeating: 1.0 / 2)
var beta = 1.0
for iteration in 1 ... 400 {
    let gw = lossGradient(q.lift(u))
    let g = RowMatrix(rows: m, columns: q.count, storage: gw.flatMap { gj in q.values.map { gj * $0 } })
    u = UpdateRule.proximalMeanField(eta: 0.01, beta: beta)(u, gradient: g)
    if iteration % 10 == 0 { beta *= 1.2 }
}
let pmf = (0 ..< m).map { q.values[Projection<Double>.hardmax(u.row($0)).firstIndex(of: 1)!] }

var best = (loss: Double.infinity, w: [Double]())
var labels = [Int](repeating: 0, count: m)
repeat {
    let w = labels.map { q.values[$0] }
    if loss(w) < best.loss { best = (loss(w), w) }
    var i = 0
    while i < m { labels[i] += 1; if labels[i] < 2 { break }; labels[i] = 0; i += 1 }
    if i == m { break }
} while true

print("PMF:         w = \(pmf.map { Int($0) }), L = \(loss(pmf)), entropy of u = \(u.entropy)")
print("brute force: w = \(best.w.map { Int($0) }), L = \(best.loss)")
print("truth:       w = \(truth.map { Int($0) })")
