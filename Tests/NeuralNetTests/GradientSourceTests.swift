import NeuralNet
import Synchronization
import Testing

/// Optimizers over a variable whose gradient a `GradientSource` computes block by block, against
/// the same optimizer over a stored gradient.
@Suite struct GradientSourceTests {
    final class Violations: Sendable { let count = Mutex(0) }

    /// 3-wide rows over 120 003 entries: enough for one chunk per core, with the chunk boundary
    /// (a multiple of 8) inside a row; a stored-gradient variable sits beside it in the same region.
    @Test(arguments: ["adam", "sgd"])
    func blockwiseGradientsGiveTheStoredGradientsSteps(_ kind: String) {
        let (rows, width) = (40_001, 3)
        let count = rows * width
        let values = (0 ..< count).map { Float(($0 * 7919) % 1000) / 500 - 1 }
        let gradients = (0 ..< count).map { Float(($0 * 104_729) % 997) / 997 - 0.5 }
        let (stored, sourced) = (Tensor(shape: [count], values: values), Tensor(shape: [count], values: values))
        let storedGradient = Tensor(shape: [count], values: gradients)
        let extra = (Tensor(shape: [5], values: [1, 2, 3, 4, 5]), Tensor(shape: [5], values: [0.1, -0.2, 0.3, -0.4, 0.5]))
        let extraCopy = Tensor(shape: [5], values: extra.0.array)
        let updates = UnsafeMutablePointer<Int32>.allocate(capacity: count)
        updates.initialize(repeating: 0, count: count)
        defer { updates.deallocate() }
        let misaligned = Violations()
        let source = GradientSource(rowWidth: width, gradient: { start, count, out in
            if start % width != 0 || count % width != 0 { misaligned.count.withLock { $0 += 1 } }
            for i in 0 ..< count { out[i] = gradients[start + i] }
        }, updated: { start, count in
            for i in start ..< start + count { updates[i] += 1 }
        })
        let plain = [OptimizedTensor(name: "rows", value: stored, gradient: storedGradient), OptimizedTensor(name: "extra", value: extra.0, gradient: extra.1)]
        let blockwise = [OptimizedTensor(name: "rows", value: sourced, source: source), OptimizedTensor(name: "extra", value: extraCopy, gradient: extra.1)]
        let optimizers: [any Optimizer] = kind == "adam"
            ? [Adam(plain, weightDecay: 0.01), Adam(blockwise, weightDecay: 0.01)]
            : [SGD(plain, momentum: 0.9, nesterov: true, weightDecay: 0.01), SGD(blockwise, momentum: 0.9, nesterov: true, weightDecay: 0.01)]
        for _ in 0 ..< 3 { for optimizer in optimizers { optimizer.step(learningRate: 0.01) } }
        // Whole-array comparisons as Bools: a failing #expect on two 120 003-entry arrays would
        // spend minutes rendering their difference.
        let (same, moved, produced) = (sourced.array == stored.array, sourced.array != values, blockwise[0].gradientValues == gradients)
        #expect(same && moved && produced)
        #expect(extraCopy.array == extra.0.array)
        #expect(UnsafeBufferPointer(start: updates, count: count).allSatisfy { $0 == 3 })
        #expect(misaligned.count.withLock { $0 } == 0)
    }
}
