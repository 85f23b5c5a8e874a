import CKernels
import Foundation
import Testing

/// The project's C kernels: their accuracy, and the run-time dispatch between the AVX2 + FMA and
/// the baseline versions giving the same bits.
@Suite(.serialized) struct CKernelsTests {
    /// The vector exp against libm's expf over [−87.3, 0] (every 1/64 and the ends): within 2 ulp;
    /// exactly 1 at 0, 0 below the normal range and at −∞, NaN for NaN.
    @Test func negativeExpIsWithinTwoUlpOfExpf() {
        var inputs = stride(from: Float(-87.3), through: 0, by: 1.0 / 64).map { $0 }
        inputs += [-0.0, -1e-30, -87.33, -87.34, -100, -.infinity, .nan]
        while inputs.count % 8 != 0 { inputs.append(0) }
        var worst: Float = 0
        for start in stride(from: 0, to: inputs.count, by: 8) {
            let x = SIMD8<Float>(inputs[start ..< start + 8])
            let y = ck_negative_exp8(x)
            for lane in 0 ..< 8 {
                let (input, value) = (x[lane], y[lane])
                if input.isNaN {
                    #expect(value.isNaN)
                } else if input < -87.33654 {
                    #expect(value == 0, "exp(\(input)) = \(value)")
                } else {
                    let expected = expf(input)
                    worst = max(worst, abs(value - expected) / expected.ulp)
                }
            }
        }
        #expect(worst <= 2, "\(worst) ulp")
        #expect(ck_negative_exp8(SIMD8(repeating: 0)) == SIMD8(repeating: 1))
    }

    /// Inputs that reach every branch: both signs, large |z|, zeros, exact ties.
    static func inputs(_ count: Int) -> [Float] {
        var state: UInt32 = 12345
        return (0 ..< count).map { i in
            state = state &* 1_664_525 &+ 1_013_904_223
            let r = Float(state >> 8) / Float(1 << 24)
            return i % 17 == 0 ? 0 : (r - 0.5) * (i % 5 == 0 ? 200 : 6)
        }
    }

    /// Runs `body` once with the processor's choice and once with the baseline forced.
    static func bothPaths<T>(_ body: () -> T) -> (dispatched: T, baseline: T) {
        ck_set_baseline(0)
        let dispatched = body()
        ck_set_baseline(1)
        defer { ck_set_baseline(0) }
        return (dispatched, body())
    }

    /// The bulk kernels give bit-identical results on both paths (explicit fused multiply-adds, no
    /// contraction); on a processor without AVX2 both runs take the baseline path.
    @Test func dispatchedAndBaselineKernelsAgreeBitForBit() {
        let rows = 64, x = Self.inputs(2 * rows), g = Self.inputs(rows + 3).suffix(rows).map { $0 / 10 }
        let (lift, liftBaseline) = Self.bothPaths { () -> [[UInt32]] in
            (0 ..< 2).map { sparsemax in
                var u = [Float](repeating: 0, count: 2 * rows), w = [Float](repeating: 0, count: rows)
                ck_binary_lift16(x, &u, &w, rows, 1.7, -1, 1, Int32(sparsemax))
                return (u + w).map(\.bitPattern)
            }
        }
        #expect(lift == liftBaseline)
        var u = [Float](repeating: 0, count: 2 * rows), w = [Float](repeating: 0, count: rows)
        ck_binary_lift16(x, &u, &w, rows, 1.7, -1, 1, 0)
        let (pull, pullBaseline) = Self.bothPaths { () -> [UInt32] in
            (0 ..< 2).flatMap { exact in
                var out = [Float](repeating: 0, count: 2 * rows)
                ck_softmax_pullback8(u, g, &out, rows, 1.7, -1, 1, Int32(exact))
                return out.map(\.bitPattern)
            }
        }
        #expect(pull == pullBaseline)
        let negative = x.map { -abs($0) } + [-.infinity, -100, .nan]
        let (exp, expBaseline) = Self.bothPaths { () -> [UInt32] in
            var y = negative
            ck_negative_exp_in_place(&y, y.count)
            return y.map(\.bitPattern)
        }
        #expect(exp == expBaseline)
        #expect(ck_instruction_set() >= 1)
    }

    /// The choice can be forced to the baseline and given back to the processor.
    @Test func baselineCanBeForced() {
        ck_set_baseline(1)
        #expect(ck_instruction_set() == 1)
        ck_set_baseline(0)
        #expect(ck_instruction_set() >= 1)
    }
}
