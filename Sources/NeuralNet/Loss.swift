import RealModule
import Simplex

/// A classification loss on logits [N, K] and integer labels, averaged over the batch.
public protocol Loss: AnyObject {
    /// The mean loss; keeps ∂loss/∂logits in `gradient`.
    func callAsFunction(_ logits: Tensor, labels: UnsafeBufferPointer<Int32>) -> Float
    /// ∂loss/∂logits from the last call.
    var gradient: Tensor { get }
}

/// Softmax cross-entropy: −log softmax(x)_y = log Σ_j exp(x_j − m) − (x_y − m) with m = max x,
/// averaged over the batch, so a row whose label lies 200 below its largest logit costs 200 (the
/// probability itself would underflow); ∂/∂x = (softmax(x) − e_y)/N, Simplex's max-shifted softmax.
public final class SoftmaxCrossEntropy: Loss {
    public let gradient = Tensor(shape: [0])

    /// The softmax cross-entropy loss.
    public init() {}

    public func callAsFunction(_ logits: Tensor, labels: UnsafeBufferPointer<Int32>) -> Float {
        let (n, k) = (logits.shape[0], logits.shape[1])
        precondition(labels.count == n, "\(labels.count) labels for \(n) rows of logits")
        gradient.resize(to: logits.shape)
        var total: Float = 0
        for r in 0 ..< n {
            let row = UnsafeBufferPointer(start: logits.data + r * k, count: k)
            let probabilities = UnsafeMutableBufferPointer(start: gradient.data + r * k, count: k)
            softmax(row, beta: 1, into: probabilities)
            let label = Int(labels[r]), top = row.max()!
            var sum: Float = 0
            for x in row { sum += Float.exp(x - top) }
            total += Float.log(sum) - (row[label] - top)
            probabilities[label] -= 1
        }
        let scale = 1 / Float(n)
        for i in 0 ..< gradient.count { gradient[i] *= scale }
        return total * scale
    }
}

/// Multi-class hinge loss (PyTorch's MultiMarginLoss, margin 1):
/// (1/K) Σ_{j≠y} max(0, 1 − x_y + x_j), averaged over the batch.
public final class MultiClassHinge: Loss {
    public let gradient = Tensor(shape: [0])

    /// The multi-class hinge loss.
    public init() {}

    public func callAsFunction(_ logits: Tensor, labels: UnsafeBufferPointer<Int32>) -> Float {
        let (n, k) = (logits.shape[0], logits.shape[1])
        precondition(labels.count == n, "\(labels.count) labels for \(n) rows of logits")
        gradient.resize(to: logits.shape)
        gradient.zero()
        let scale = 1 / Float(n * k)
        var total: Float = 0
        for r in 0 ..< n {
            let y = Int(labels[r]), x = logits.data + r * k, g = gradient.data + r * k
            for j in 0 ..< k where j != y {
                let margin = 1 - x[y] + x[j]
                if margin > 0 {
                    total += margin
                    g[j] += scale
                    g[y] -= scale
                }
            }
        }
        return total * scale
    }
}
