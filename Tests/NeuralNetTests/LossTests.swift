import NeuralNet
import RealModule
import Simplex
import Testing

@Suite struct LossTests {
    let logits = Tensor(shape: [3, 4], values: [0.5, -1, 2, 0.1, 3, 3, -2, 0, -0.3, 0.2, 0.4, 1.5])
    let labels: [Int32] = [2, 1, 0]

    /// Cross-entropy's value against log-sum-exp written out, and its gradient against finite
    /// differences in Double.
    @Test func crossEntropy() {
        let loss = SoftmaxCrossEntropy()
        let value = labels.withUnsafeBufferPointer { loss(logits, labels: $0) }
        var expected = 0.0
        for r in 0 ..< 3 {
            let row = (0 ..< 4).map { Double(logits[r * 4 + $0]) }
            expected += Double.log(row.map(Double.exp).reduce(0, +)) - row[Int(labels[r])]
        }
        #expect(abs(Double(value) - expected / 3) < 1e-6)
        checkLossGradient(loss)
    }

    /// A label far below the largest logit costs the whole gap, beyond where its probability
    /// underflows (the cross-check found the loss capped at −log of the smallest normal float, 87.3).
    @Test func crossEntropyOfAnUnderflowingProbability() {
        let far = Tensor(shape: [2, 3], values: [0, 200, -5, 150, 0, 1])
        let value = [Int32(0), 1].withUnsafeBufferPointer { SoftmaxCrossEntropy()(far, labels: $0) }
        let expected = (200 + Double.log(1 + Double.exp(-200) + Double.exp(-205)) + 150 + Double.log(1 + Double.exp(-150) + Double.exp(-149))) / 2
        #expect(abs(Double(value) - expected) < 1e-4 * expected)
    }

    @Test func multiClassHinge() {
        let loss = MultiClassHinge()
        let value = labels.withUnsafeBufferPointer { loss(logits, labels: $0) }
        var expected = 0.0
        for r in 0 ..< 3 {
            let y = Int(labels[r])
            for j in 0 ..< 4 where j != y { expected += max(0, 1 - Double(logits[r * 4 + y]) + Double(logits[r * 4 + j])) }
        }
        #expect(abs(Double(value) - expected / 12) < 1e-6)
        checkLossGradient(loss)
    }

    func checkLossGradient(_ loss: any Loss) {
        _ = labels.withUnsafeBufferPointer { loss(logits, labels: $0) }
        let analytic = loss.gradient.array
        for i in 0 ..< logits.count {
            let saved = logits[i]
            logits[i] = saved + 1e-3
            let plus = labels.withUnsafeBufferPointer { loss(logits, labels: $0) }
            logits[i] = saved - 1e-3
            let minus = labels.withUnsafeBufferPointer { loss(logits, labels: $0) }
            logits[i] = saved
            #expect(abs((plus - minus) / 2e-3 - analytic[i]) < 2e-3, "entry \(i)")
        }
    }
}
