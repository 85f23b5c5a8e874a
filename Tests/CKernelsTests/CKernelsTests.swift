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
            (0 ..< 3).flatMap { jacobian in
                var out = [Float](repeating: 0, count: 2 * rows)
                ck_softmax_pullback8(u, g, &out, rows, 1.7, -1, 1, Int32(jacobian))
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

    /// The binary softmax pullback's three matrices on random rows u = softmax(βx), on both paths:
    /// exact β g s_λ(q_λ − w) and one-softmax β g (q_λ − s_λ w) bit for bit against those formulas
    /// as scalar Float Swift (each operation rounded once, the order of the kernel, which is the
    /// kernel's arithmetic before the two-softmax form existed), and the reference code's
    /// two-softmax β g (q_λ − s′_λ w′), s′ = softmax(β·u), w′ = ⟨s′, q⟩, against that formula in
    /// Double from the same Float u, within 1e-6·β·|g| (Float rounding of z′ = β(u₁ − u₀) and exp).
    @Test func softmaxPullbackMatchesItsFormulasOnBothPaths() {
        var state: UInt32 = 977
        func uniform(_ low: Float, _ high: Float) -> Float {
            state = state &* 1_664_525 &+ 1_013_904_223
            return low + (high - low) * Float(state >> 8) / Float(1 << 24)
        }
        let rows = 48  // a multiple of 16, as ck_binary_lift16 requires
        for (beta, q0, q1) in [(Float(0.5), Float(-1), Float(1)), (1.7, -1, 1), (6, -2, 1)] {
            let x = (0 ..< 2 * rows).map { _ in uniform(-2, 2) }, g = (0 ..< rows).map { _ in uniform(-1, 1) }
            var u = [Float](repeating: 0, count: 2 * rows), w = [Float](repeating: 0, count: rows)
            ck_binary_lift16(x, &u, &w, rows, beta, q0, q1, 0)
            let (dispatched, baseline) = Self.bothPaths { () -> [[Float]] in
                [CK_JACOBIAN_EXACT, CK_JACOBIAN_ONE_SOFTMAX, CK_JACOBIAN_REFERENCE].map { jacobian in
                    var out = [Float](repeating: 0, count: 2 * rows)
                    ck_softmax_pullback8(u, g, &out, rows, beta, q0, q1, Int32(jacobian))
                    return out
                }
            }
            #expect(dispatched.map { $0.map(\.bitPattern) } == baseline.map { $0.map(\.bitPattern) }, "β = \(beta)")
            var exact: [Float] = [], one: [Float] = [], worst = 0.0
            for j in 0 ..< rows {
                let (s0, s1) = (u[2 * j], u[2 * j + 1])
                let wj = s0 * q0 + s1 * q1, bg = beta * g[j]
                exact += [bg * s0 * (q0 - wj), bg * s1 * (q1 - wj)]
                one += [bg * (q0 - s0 * wj), bg * (q1 - s1 * wj)]
                let (e0, e1) = (exp(Double(beta) * Double(s0)), exp(Double(beta) * Double(s1)))
                let (t0, t1) = (e0 / (e0 + e1), e1 / (e0 + e1))
                let second = t0 * Double(q0) + t1 * Double(q1), bgd = Double(beta) * Double(g[j])
                let expected = [bgd * (Double(q0) - t0 * second), bgd * (Double(q1) - t1 * second)]
                for l in 0 ..< 2 {
                    worst = max(worst, abs(Double(dispatched[2][2 * j + l]) - expected[l]) / (Double(beta) * max(abs(Double(g[j])), 1e-3)))
                }
            }
            #expect(dispatched[0].map(\.bitPattern) == exact.map(\.bitPattern), "exact, β = \(beta)")
            #expect(dispatched[1].map(\.bitPattern) == one.map(\.bitPattern), "one-softmax, β = \(beta)")
            #expect(worst <= 1e-6, "reference, β = \(beta): \(worst)")
        }
    }

    /// The training kernels against the same formulas written as scalar Swift (each operation
    /// rounded once, as Swift never fuses), bit for bit on both paths, with a count that is not a
    /// multiple of the vector width and a tiled period that does not divide it.
    @Test func trainingKernelsMatchScalarFormulasBitForBit() {
        let n = 5 * 12 + 7, period = 12
        let x = Self.inputs(n), g = Self.inputs(n + 5).suffix(n).map { $0 / 7 }
        let a = Self.inputs(period + 9).suffix(period).map { $0 / 3 }, b = Self.inputs(period + 2).suffix(period).map { $0 }
        let positive = Self.inputs(n + 11).suffix(n).map { abs($0) + 0.5 }
        func check(_ name: String, _ kernel: () -> [Float], _ reference: [Float]) {
            let (dispatched, baseline) = Self.bothPaths(kernel)
            #expect(dispatched.map(\.bitPattern) == reference.map(\.bitPattern), "\(name), dispatched")
            #expect(baseline.map(\.bitPattern) == reference.map(\.bitPattern), "\(name), baseline")
        }
        check("relu", { var y = x; y.withUnsafeMutableBufferPointer { ck_relu($0.baseAddress!, $0.baseAddress!, n) }; return y }, x.map { $0 < 0 ? 0 : $0 })
        check("relu backward", { var dx = [Float](repeating: 1, count: n); ck_relu_backward(x, g, &dx, n); return dx },
              (0 ..< n).map { x[$0] > 0 ? g[$0] : 0 })
        // Second moments small beside (1 − β₂)d², so that every term of the update shows in the bits.
        let small = positive.map { $0 / 10_000 }
        let (b1, b2, eps, decay, step, correction): (Float, Float, Float, Float, Float, Float) = (0.9, 0.999, 1e-8, 1e-4, 1e-3, 1.3)
        check("adam", {
            var (w, m, v) = (x, g, small)
            ck_adam(&w, g, &m, &v, n, b1, b2, eps, decay, step, correction)
            return w + m + v
        }, {
            var (w, m, v) = (x, g, small)
            for i in 0 ..< n {
                let d = g[i] + decay * w[i]
                m[i] = b1 * m[i] + (1 - b1) * d
                v[i] = b2 * v[i] + (1 - b2) * d * d
                w[i] = w[i] - step * m[i] / (v[i].squareRoot() * correction + eps)
            }
            return w + m + v
        }())
        check("tiled sum", { var s = a; ck_tiled_sum(x, &s, n, period); return s }, {
            var s = a
            for i in 0 ..< n { s[i % period] += x[i] }
            return s
        }())
        check("tiled add", { var y = x; ck_tiled_add(a, &y, n, period); return y }, (0 ..< n).map { x[$0] + a[$0 % period] })
        check("tiled centre", {
            var (h, s) = ([Float](repeating: 0, count: n), b)
            ck_tiled_centre(x, a, &h, &s, n, period)
            var t = b
            ck_tiled_centre(x, a, nil, &t, n, period)
            return h + s + t
        }, {
            var (h, s) = ([Float](repeating: 0, count: n), b)
            for i in 0 ..< n {
                h[i] = x[i] - a[i % period]
                s[i % period] += h[i] * h[i]
            }
            return h + s + s
        }())
        check("tiled multiply", {
            var y = x
            y.withUnsafeMutableBufferPointer { ck_tiled_multiply(a, $0.baseAddress!, $0.baseAddress!, n, period) }
            return y
        }, (0 ..< n).map { a[$0 % period] * x[$0] })
        for rectify in [false, true] {
            check("tiled standardize \(rectify)", {
                var y = x
                y.withUnsafeMutableBufferPointer { ck_tiled_standardize($0.baseAddress!, a, b, $0.baseAddress!, n, period, rectify ? 1 : 0) }
                return y
            },
                  (0 ..< n).map { i in
                      let s = (x[i] - a[i % period]) * b[i % period]
                      return rectify && s < 0 ? 0 : s
                  })
            check("tiled gradient sums \(rectify)", {
                var sums = a + b
                sums.withUnsafeMutableBufferPointer {
                    ck_tiled_gradient_sums(g, x, $0.baseAddress!, $0.baseAddress! + period, n, period, rectify ? 1 : 0)
                }
                return sums
            }, {
                var (sum, dot) = (a, b)
                for i in 0 ..< n {
                    let passed = rectify && !(x[i] > 0) ? 0 : g[i]
                    sum[i % period] += passed
                    dot[i % period] += passed * x[i]
                }
                return sum + dot
            }())
        }
        let rows = n / 2, pairs = Self.inputs(2 * rows).enumerated().map { $0.offset % 3 == 0 ? max(0, $0.element) : abs($0.element) }
        check("sparsemax pullback", {
            var out = [Float](repeating: 1, count: 2 * rows)
            ck_sparsemax_pullback(pairs, g, &out, rows, 0.85)
            return out
        }, (0 ..< rows).flatMap { j -> [Float] in
            let value: Float = pairs[2 * j] > 0 && pairs[2 * j + 1] > 0 ? 0.85 * g[j] : 0
            return [value, -value]
        })
        let (k, m, d) = (b, a.map { $0 / 5 }, b.map { $0 / 9 })
        check("tiled normalized gradient", {
            var given = g, formed = g
            given.withUnsafeMutableBufferPointer { ck_tiled_normalized_gradient($0.baseAddress!, x, nil, nil, k, m, d, $0.baseAddress!, n, period) }
            formed.withUnsafeMutableBufferPointer {
                ck_tiled_normalized_gradient($0.baseAddress!, positive, a, b, k, m, d, $0.baseAddress!, n, period)
            }
            return given + formed
        }, (0 ..< n).map { i in
            let t = i % period
            return k[t] * (g[i] - m[t] - x[i] * d[t])
        } + (0 ..< n).map { i in
            let t = i % period, h = (positive[i] - a[t]) * b[t]
            return k[t] * (g[i] - m[t] - h * d[t])
        })
    }

    /// The non-finite scan against `isFinite`, with one NaN, +∞ or −∞ at every position of arrays
    /// of several lengths (vector body and scalar tail), large finite values (whose 0·x is 0), on
    /// both paths.
    @Test func nonFiniteScanFindsEveryPosition() {
        for n in [0, 1, 7, 8, 15, 16, 17, 40, 43] {
            let finite = Self.inputs(n).map { $0 * 1e36 }
            let clean = Self.bothPaths { ck_contains_non_finite(finite, n) }
            #expect(clean.dispatched == 0 && clean.baseline == 0, "n = \(n)")
            for position in 0 ..< n {
                for bad in [Float.nan, .infinity, -.infinity] {
                    var x = finite
                    x[position] = bad
                    let found = Self.bothPaths { ck_contains_non_finite(x, n) }
                    #expect(found.dispatched == 1 && found.baseline == 1, "n = \(n), \(bad) at \(position)")
                }
            }
        }
    }

    /// The peak-rate probe does all its work: its result is the sum, lane by lane, of twelve chains
    /// a ← fma(a, 0.999999, 10⁻⁶) from a = j, run for the given rounds in Float — bit for bit.
    @Test func multiplyAddChainsComputeTheirRecurrence() {
        let widest = Int(ck_fma_lanes())
        #expect([0, 8, 16].contains(widest))
        for lanes in [8, 16] where lanes <= widest {
            for rounds in [0, 1, 7, 1000] {
                var sum: Float = 0
                for j in 0 ..< 12 {
                    var a = Float(j)
                    for _ in 0 ..< rounds { a = Float(1e-6).addingProduct(a, 0.999999) }
                    for _ in 0 ..< lanes { sum += a }
                }
                #expect(ck_fma_chains(rounds, Int32(lanes)) == sum, "\(lanes) lanes, \(rounds) rounds")
            }
        }
        #expect(ck_fma_chains(1000, 0) == 0)
    }

    /// Visits every patch entry that lies inside its image, in patch-row order (row (image, oy, ox),
    /// then ky, kx, channel): `body(entry, pixel)` with the entry's index in the patch matrix and the
    /// index in x of the pixel (oy·s − p + ky, ox·s − p + kx) it holds.
    static func forEachPatchEntry(_ height: Int, _ width: Int, _ channels: Int, _ kernel: Int, _ stride: Int, _ padding: Int,
                                  images: Int, _ body: (_ entry: Int, _ pixel: Int) -> Void) {
        let outHeight = (height + 2 * padding - kernel) / stride + 1, outWidth = (width + 2 * padding - kernel) / stride + 1
        let patchWidth = kernel * kernel * channels
        for image in 0 ..< images {
            for oy in 0 ..< outHeight {
                for ox in 0 ..< outWidth {
                    let row = (image * outHeight + oy) * outWidth + ox
                    for ky in 0 ..< kernel {
                        for kx in 0 ..< kernel {
                            let (iy, ix) = (oy * stride - padding + ky, ox * stride - padding + kx)
                            guard iy >= 0, iy < height, ix >= 0, ix < width else { continue }
                            for c in 0 ..< channels {
                                body(row * patchWidth + (ky * kernel + kx) * channels + c, ((image * height + iy) * width + ix) * channels + c)
                            }
                        }
                    }
                }
            }
        }
    }

    /// im2col against its definition, entry by entry — pixel (oy·s − p + ky, ox·s − p + kx) or 0 —
    /// for runs shorter than, equal to and longer than eight floats, with padding and strides, and a
    /// guard band after the patches that must stay untouched (the last case copies its last short run
    /// from inside the input, so only the buffer's end stops a whole-vector copy); on both paths.
    @Test func im2colMatchesItsDefinition() {
        for (height, width, channels, kernel, stride, padding) in [(9, 7, 1, 5, 1, 0), (9, 7, 1, 5, 1, 2), (6, 8, 3, 3, 2, 1),
                                                                   (5, 5, 8, 2, 1, 1), (7, 6, 5, 3, 3, 2), (4, 4, 1, 1, 1, 0),
                                                                   (10, 8, 1, 5, 2, 0)] {
            let images = 2, outHeight = (height + 2 * padding - kernel) / stride + 1
            let outWidth = (width + 2 * padding - kernel) / stride + 1
            let x = Self.inputs(images * height * width * channels), patchWidth = kernel * kernel * channels
            let count = images * outHeight * outWidth * patchWidth, guardValue: Float = 12345
            var expected = [Float](repeating: 0, count: count)
            Self.forEachPatchEntry(height, width, channels, kernel, stride, padding, images: images) { entry, pixel in
                expected[entry] = x[pixel]
            }
            let (dispatched, baseline) = Self.bothPaths { () -> [Float] in
                var patches = [Float](repeating: .nan, count: count) + [Float](repeating: guardValue, count: 8)
                ck_im2col(x, height, width, channels, kernel, stride, padding, outHeight, outWidth, images, &patches)
                return patches
            }
            let shape = "\(height)×\(width)×\(channels), kernel \(kernel), stride \(stride), padding \(padding)"
            #expect(dispatched == expected + [Float](repeating: guardValue, count: 8), "\(shape)")
            #expect(baseline == dispatched, "\(shape)")
        }
    }

    /// The direct single-channel convolution against its definition written as scalar Swift — from
    /// 0, x·w added over ky then kx, then + b — bit for bit, with and without a bias, for output rows
    /// shorter and longer than eight pixels and channel counts below, at and above eight; on both paths.
    @Test func oneChannelConvolutionMatchesItsDefinition() {
        for (height, width, kernel, outs) in [(28, 28, 5, 20), (9, 7, 3, 5), (10, 21, 5, 8), (6, 6, 1, 50)] {
            let images = 3, (outHeight, outWidth) = (height - kernel + 1, width - kernel + 1)
            let x = Self.inputs(images * height * width), weights = Self.inputs(kernel * kernel * outs + 3).suffix(kernel * kernel * outs).map { $0 / 9 }
            let bias = Self.inputs(outs + 11).suffix(outs).map { $0 }
            for withBias in [false, true] {
                var expected = [UInt32](repeating: 0, count: images * outHeight * outWidth * outs)
                for n in 0 ..< images {
                    for oy in 0 ..< outHeight {
                        for ox in 0 ..< outWidth {
                            for o in 0 ..< outs {
                                var sum: Float = 0
                                for ky in 0 ..< kernel {
                                    for kx in 0 ..< kernel {
                                        let product = x[(n * height + oy + ky) * width + ox + kx] * weights[(ky * kernel + kx) * outs + o]
                                        sum = sum + product
                                    }
                                }
                                if withBias { sum = sum + bias[o] }
                                expected[((n * outHeight + oy) * outWidth + ox) * outs + o] = sum.bitPattern
                            }
                        }
                    }
                }
                let (dispatched, baseline) = Self.bothPaths { () -> [UInt32] in
                    var y = [Float](repeating: .nan, count: images * outHeight * outWidth * outs)
                    if withBias {
                        ck_convolve_one_channel(x, height, width, kernel, outs, Array(weights), Array(bias), images, &y)
                    } else {
                        ck_convolve_one_channel(x, height, width, kernel, outs, Array(weights), nil, images, &y)
                    }
                    return y.map(\.bitPattern)
                }
                let shape = "\(height)×\(width), kernel \(kernel), \(outs) outputs, bias \(withBias)"
                #expect(dispatched == expected, "\(shape)")
                #expect(baseline == dispatched, "\(shape)")
            }
        }
    }

    /// col2im against its definition: every patch entry added to its pixel, patch row by patch row
    /// and ky, kx, c within a row (so the sums are bit for bit those of this loop), entries outside
    /// the image dropped, pixels of other images untouched; on both paths.
    @Test func col2imMatchesItsDefinition() {
        for (height, width, channels, kernel, stride, padding) in [(9, 7, 1, 5, 1, 0), (9, 7, 1, 5, 1, 2), (6, 8, 3, 3, 2, 1),
                                                                   (5, 5, 8, 2, 1, 1), (7, 6, 5, 3, 3, 2), (12, 12, 20, 5, 1, 0)] {
            let images = 2, outHeight = (height + 2 * padding - kernel) / stride + 1
            let outWidth = (width + 2 * padding - kernel) / stride + 1, patchWidth = kernel * kernel * channels
            let patches = Self.inputs(images * outHeight * outWidth * patchWidth), imageSize = height * width * channels
            let start = Self.inputs(imageSize * (images + 1)).map { $0 / 7 }
            var expected = start
            Self.forEachPatchEntry(height, width, channels, kernel, stride, padding, images: images) { entry, pixel in
                expected[pixel] += patches[entry]
            }
            let (dispatched, baseline) = Self.bothPaths { () -> [Float] in
                var dx = start
                ck_col2im(patches, height, width, channels, kernel, stride, padding, outHeight, outWidth, images, &dx)
                return dx
            }
            let shape = "\(height)×\(width)×\(channels), kernel \(kernel), stride \(stride), padding \(padding)"
            #expect(dispatched == expected, "\(shape)")
            #expect(baseline == dispatched, "\(shape)")
        }
    }

    /// Max pooling against a scalar scan of each window in ky, kx order that keeps the first
    /// maximum (strictly larger replaces it), with exact ties, a NaN and ±∞ in the input, overlapping
    /// and non-overlapping windows, channel counts below, at and above eight; on both paths, with
    /// the winners and without (evaluation: the same maxima, bit for bit). Then unpooling against
    /// `dx[winner] += g`.
    @Test func maxPoolAndUnpoolMatchTheirDefinitions() {
        for (height, width, channels, kernel, stride) in [(8, 8, 20, 2, 2), (7, 9, 3, 3, 2), (6, 6, 8, 2, 1), (5, 4, 50, 2, 2)] {
            let images = 3, firstImage = 1, count = 2
            let outHeight = (height - kernel) / stride + 1, outWidth = (width - kernel) / stride + 1
            var x = Self.inputs(images * height * width * channels).map { ($0 * 2).rounded() / 2 }
            (x[5], x[17], x[x.count / 2]) = (.nan, .infinity, -.infinity)
            let outputs = images * outHeight * outWidth * channels
            var expectedTop = [Float](repeating: -1, count: outputs), expectedBest = [Int32](repeating: -1, count: outputs)
            for n in firstImage ..< firstImage + count {
                for oy in 0 ..< outHeight {
                    for ox in 0 ..< outWidth {
                        for c in 0 ..< channels {
                            let out = ((n * outHeight + oy) * outWidth + ox) * channels + c
                            var best = ((n * height + oy * stride) * width + ox * stride) * channels + c
                            for ky in 0 ..< kernel {
                                for kx in 0 ..< kernel {
                                    let at = ((n * height + oy * stride + ky) * width + ox * stride + kx) * channels + c
                                    if x[at] > x[best] { best = at }
                                }
                            }
                            (expectedTop[out], expectedBest[out]) = (x[best], Int32(best))
                        }
                    }
                }
            }
            let (dispatched, baseline) = Self.bothPaths { () -> ([UInt32], [Int32]) in
                var top = [Float](repeating: -1, count: outputs), best = [Int32](repeating: -1, count: outputs)
                ck_max_pool(x, height, width, channels, kernel, stride, firstImage, count, &top, &best)
                return (top.map(\.bitPattern), best)
            }
            let shape = "\(height)×\(width)×\(channels), kernel \(kernel), stride \(stride)"
            #expect(dispatched.0 == expectedTop.map(\.bitPattern), "\(shape)")
            #expect(dispatched.1 == expectedBest, "\(shape)")
            #expect(baseline.0 == dispatched.0 && baseline.1 == dispatched.1, "\(shape)")
            let (values, valuesBaseline) = Self.bothPaths { () -> [UInt32] in
                var top = [Float](repeating: -1, count: outputs)
                ck_max_pool(x, height, width, channels, kernel, stride, firstImage, count, &top, nil)
                return top.map(\.bitPattern)
            }
            #expect(values == expectedTop.map(\.bitPattern) && valuesBaseline == values, "\(shape), values only")

            // Unpooling the pooled images: base is the offset of the first pooled image's input.
            let base = firstImage * height * width * channels, pooled = count * outHeight * outWidth * channels
            let first = firstImage * outHeight * outWidth * channels
            let g = Self.inputs(pooled + 5).suffix(pooled).map { $0 == 0 ? -0.0 : $0 }
            var expected = [Float](repeating: 0, count: count * height * width * channels)
            for i in 0 ..< pooled { expected[Int(expectedBest[first + i]) - base] += g[i] }
            let (unpooled, unpooledBaseline) = Self.bothPaths { () -> [UInt32] in
                var dx = [Float](repeating: 0, count: count * height * width * channels)
                ck_unpool(g, Array(expectedBest[first...]), pooled, base, &dx)
                return dx.map(\.bitPattern)
            }
            #expect(unpooled == expected.map(\.bitPattern), "\(shape)")
            #expect(unpooledBaseline == unpooled, "\(shape)")
        }
    }

    /// The gradient through max pooling, ReLU and BatchNorm against the three steps written out:
    /// q = ∂p at each window's winner where p > 0 (added to zeros, as unpooling does), then
    /// a·(q − mean_gradient − h·mean_dot) entry by entry, bit for bit; for channel counts below, at
    /// and above eight, an output that leaves a row and a column out of the windows, and images from
    /// the middle of a batch; on both paths.
    @Test func poolNormalizedGradientMatchesItsSteps() {
        for (height, width, channels, kernel) in [(8, 8, 20, 2), (7, 9, 3, 2), (6, 6, 8, 3), (5, 4, 50, 2)] {
            let batch = 4, firstImage = 1, images = 2, imageSize = height * width * channels
            let (outHeight, outWidth) = (height / kernel, width / kernel), pooledSize = outHeight * outWidth * channels
            let y = Self.inputs(batch * imageSize).map { ($0 * 2).rounded() / 2 }
            var pooled = [Float](repeating: 0, count: batch * pooledSize), winners = [Int32](repeating: 0, count: batch * pooledSize)
            ck_max_pool(y, height, width, channels, kernel, kernel, 0, batch, &pooled, &winners)
            let p = pooled.map { $0 - 0.5 }
            // Every fifth gradient −0, which must reach dy as +0 (+0 + −0), as unpooling onto zeros gives.
            let g = Self.inputs(batch * pooledSize + 7).suffix(batch * pooledSize).enumerated().map { $0 % 5 == 0 ? -0.0 : $1 }
            let stats = Self.inputs(4 * channels + 3).suffix(4 * channels).map { $0 / 50 }
            let mean = Array(stats[..<channels]), inverse = stats[channels ..< 2 * channels].map { abs($0) + 0.5 }
            var meanGradient = Array(stats[(2 * channels)...].prefix(channels)), meanDot = Array(stats.suffix(channels))
            // Channel 0 with zero means, where the sign of a zero q survives to dy.
            (meanGradient[0], meanDot[0]) = (0, 0)
            let base = firstImage * imageSize
            var q = [Float](repeating: 0, count: images * imageSize)
            for i in firstImage * pooledSize ..< (firstImage + images) * pooledSize where p[i] > 0 { q[Int(winners[i]) - base] += g[i] }
            let expected = (0 ..< images * imageSize).map { i -> UInt32 in
                let c = i % channels, h = (y[base + i] - mean[c]) * inverse[c]
                let difference = q[i] - meanGradient[c], product = h * meanDot[c]
                return (inverse[c] * (difference - product)).bitPattern
            }
            let (dispatched, baseline) = Self.bothPaths { () -> [UInt32] in
                var dy = [Float](repeating: .nan, count: images * imageSize)
                ck_pool_normalized_gradient(g, p, winners, y, mean, inverse, meanGradient, meanDot, height, width, channels, kernel,
                                            firstImage, images, &dy)
                return dy.map(\.bitPattern)
            }
            let shape = "\(height)×\(width)×\(channels), kernel \(kernel)"
            #expect(dispatched == expected, "\(shape)")
            #expect(baseline == dispatched, "\(shape)")
        }
    }

    /// The choice can be forced to the baseline and given back to the processor.
    @Test func baselineCanBeForced() {
        ck_set_baseline(1)
        #expect(ck_instruction_set() == 1)
        ck_set_baseline(0)
        #expect(ck_instruction_set() >= 1)
    }
}
