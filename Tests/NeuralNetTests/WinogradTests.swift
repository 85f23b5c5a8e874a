import CKernels
@testable import NeuralNet
import Simplex
import Testing

/// The Winograd F(2×2, 3×3) convolution against direct sums in double: output, ∂x and ∂W within
/// the bound `WinogradTiles` states, |computed − exact| ≤ γₙ·E with n = L + 16 and E the algorithm
/// evaluated in double on absolute values with |B|, |G|, |A|. The same shapes through im2col + sgemm
/// stay within γ_L of Σ|terms| (L = 9·C, 9·O, the output positions), the exact path's bound.
@Suite struct WinogradTests {
    /// One convolution problem: input [N, H, W, C], O outputs, padding p, random x, W, b, ∂y.
    struct Problem {
        let n, h, w, c, o, p: Int
        let x, weight, bias, dy: [Float]
        var outH: Int { h + 2 * p - 2 }
        var outW: Int { w + 2 * p - 2 }

        init(_ n: Int, _ h: Int, _ w: Int, _ c: Int, _ o: Int, padding p: Int, seed: UInt) {
            (self.n, self.h, self.w, self.c, self.o, self.p) = (n, h, w, c, o, p)
            let random = RandomSource(seed: seed)
            func values(_ count: Int) -> [Float] { (0 ..< count).map { _ in Float(random.gaussian(sigma: 1)) } }
            x = values(n * h * w * c)
            weight = values(o * 9 * c)
            bias = values(o)
            dy = values(n * (h + 2 * p - 2) * (w + 2 * p - 2) * o)
        }

        func pixel(_ v: [Double], _ image: Int, _ y: Int, _ x: Int, _ ch: Int) -> Double {
            y < 0 || y >= h || x < 0 || x >= w ? 0 : v[((image * h + y) * w + x) * c + ch]
        }

        /// y, ∂x, ∂W by direct sums of `x`, `weight`, `dy` (as given: values or absolute values).
        func direct(x: [Double], weight: [Double], bias: [Double], dy: [Double]) -> (y: [Double], dx: [Double], dw: [Double]) {
            var y = [Double](repeating: 0, count: n * outH * outW * o), dx = [Double](repeating: 0, count: x.count)
            var dw = [Double](repeating: 0, count: weight.count)
            for image in 0 ..< n {
                for oy in 0 ..< outH {
                    for ox in 0 ..< outW {
                        for out in 0 ..< o {
                            let row = ((image * outH + oy) * outW + ox) * o + out, g = dy[row]
                            var sum = bias[out]
                            for ky in 0 ..< 3 {
                                for kx in 0 ..< 3 {
                                    let (iy, ix) = (oy - p + ky, ox - p + kx), inside = iy >= 0 && iy < h && ix >= 0 && ix < w
                                    for ch in 0 ..< c {
                                        let wi = ((out * 3 + ky) * 3 + kx) * c + ch, xv = pixel(x, image, iy, ix, ch)
                                        sum += xv * weight[wi]
                                        dw[wi] += g * xv
                                        if inside { dx[((image * h + iy) * w + ix) * c + ch] += g * weight[wi] }
                                    }
                                }
                            }
                            y[row] = sum
                        }
                    }
                }
            }
            return (y, dx, dw)
        }

        /// E for y, ∂x and ∂W: the Winograd algorithm in double on |x|, |W|, |b|, |∂y| with the
        /// absolute values of B, G and A.
        func winogradMagnitudes() -> (y: [Double], dx: [Double], dw: [Double]) {
            let bt: [[Double]] = [[1, 0, 1, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 1, 0, 1]]  // |Bᵀ|
            let g: [[Double]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], [0, 0, 1]]  // |G|
            let at: [[Double]] = [[1, 1, 1, 0], [0, 1, 1, 1]]  // |Aᵀ|
            func product(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
                a.map { row in (0 ..< b[0].count).map { j in zip(row, b).reduce(0) { $0 + $1.0 * $1.1[j] } } }
            }
            func transpose(_ a: [[Double]]) -> [[Double]] { (0 ..< a[0].count).map { j in a.map { $0[j] } } }
            let ax = x.map { Double(abs($0)) }, aw = weight.map { Double(abs($0)) }, ady = dy.map { Double(abs($0)) }
            let (tilesH, tilesW) = ((outH + 1) / 2, (outW + 1) / 2)
            // |U| per (o, c), |V| per (tile, c), |∂M| per (tile, o), 4×4 each.
            var u = [[[Double]]](), v = [[[Double]]](), dm = [[[Double]]]()
            for out in 0 ..< o {
                for ch in 0 ..< c {
                    let kernel = (0 ..< 3).map { ky in (0 ..< 3).map { kx in aw[((out * 3 + ky) * 3 + kx) * c + ch] } }
                    u.append(product(product(g, kernel), transpose(g)))
                }
            }
            var tiles = [(image: Int, ty: Int, tx: Int)]()
            for image in 0 ..< n { for ty in 0 ..< tilesH { for tx in 0 ..< tilesW { tiles.append((image, ty, tx)) } } }
            for (image, ty, tx) in tiles {
                for ch in 0 ..< c {
                    let d = (0 ..< 4).map { i in (0 ..< 4).map { j in pixel(ax, image, 2 * ty - p + i, 2 * tx - p + j, ch) } }
                    v.append(product(product(bt, d), transpose(bt)))
                }
                for out in 0 ..< o {
                    let e = (0 ..< 2).map { i in (0 ..< 2).map { j in
                        let (oy, ox) = (2 * ty + i, 2 * tx + j)
                        return oy < outH && ox < outW ? ady[((image * outH + oy) * outW + ox) * o + out] : 0
                    } }
                    dm.append(product(product(transpose(at), e), at))
                }
            }
            var y = [Double](repeating: 0, count: dy.count), dx = [Double](repeating: 0, count: x.count)
            var du = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: 4), count: 4), count: o * c)
            for (t, (image, ty, tx)) in tiles.enumerated() {
                for out in 0 ..< o {
                    var m = [[Double]](repeating: [Double](repeating: 0, count: 4), count: 4)
                    for ch in 0 ..< c {
                        for i in 0 ..< 4 {
                            for j in 0 ..< 4 {
                                m[i][j] += u[out * c + ch][i][j] * v[t * c + ch][i][j]
                                du[out * c + ch][i][j] += dm[t * o + out][i][j] * v[t * c + ch][i][j]
                            }
                        }
                    }
                    let tile = product(product(at, m), transpose(at))
                    for i in 0 ..< 2 {
                        for j in 0 ..< 2 where 2 * ty + i < outH && 2 * tx + j < outW {
                            y[((image * outH + 2 * ty + i) * outW + 2 * tx + j) * o + out] = tile[i][j] + Double(abs(bias[out]))
                        }
                    }
                }
                for ch in 0 ..< c {
                    var s = [[Double]](repeating: [Double](repeating: 0, count: 4), count: 4)
                    for out in 0 ..< o { for i in 0 ..< 4 { for j in 0 ..< 4 { s[i][j] += dm[t * o + out][i][j] * u[out * c + ch][i][j] } } }
                    let window = product(product(transpose(bt), s), bt)
                    for i in 0 ..< 4 {
                        for j in 0 ..< 4 {
                            let (iy, ix) = (2 * ty - p + i, 2 * tx - p + j)
                            if iy >= 0 && iy < h && ix >= 0 && ix < w { dx[((image * h + iy) * w + ix) * c + ch] += window[i][j] }
                        }
                    }
                }
            }
            var dw = [Double](repeating: 0, count: weight.count)
            for out in 0 ..< o {
                for ch in 0 ..< c {
                    let kernel = product(product(transpose(g), du[out * c + ch]), g)
                    for ky in 0 ..< 3 { for kx in 0 ..< 3 { dw[((out * 3 + ky) * 3 + kx) * c + ch] = kernel[ky][kx] } }
                }
            }
            return (y, dx, dw)
        }

        /// The layer's y, ∂x, ∂W with `algorithm`.
        func run(_ algorithm: ConvolutionAlgorithm) -> (y: [Float], dx: [Float], dw: [Float]) {
            let conv = Conv2d(c, o, kernel: 3, padding: p, algorithm: algorithm)
            conv.weight.value.assign(weight)
            conv.bias!.value.assign(bias)
            let y = conv.forward(Tensor(shape: [n, h, w, c], values: x), training: true).array
            let dx = conv.backward(Tensor(shape: [n, outH, outW, o], values: dy), needsInputGradient: true)!.array
            return (y, dx, conv.weight.gradient.array)
        }
    }

    static let problems: [Problem] = [
        Problem(2, 5, 6, 3, 4, padding: 1, seed: 1),   // odd height: the last tile row half outside
        Problem(3, 6, 7, 5, 2, padding: 0, seed: 2),   // no padding, odd output width
        Problem(1, 4, 4, 2, 3, padding: 2, seed: 3),   // padding past the kernel's reach
        Problem(9, 16, 16, 32, 32, padding: 1, seed: 4),  // four chunks of several groups
    ]

    /// γₙ = n·u/(1 − n·u), u = 2⁻²⁴.
    func gamma(_ n: Int) -> Double { let nu = Double(n) * 0x1p-24; return nu / (1 - nu) }

    func expectWithin(_ computed: [Float], _ exact: [Double], _ magnitude: [Double], _ bound: Double, _ what: String,
                      sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(computed.count == exact.count)
        var worst = 0.0
        for i in exact.indices { worst = max(worst, abs(Double(computed[i]) - exact[i]) / max(bound * magnitude[i], .leastNormalMagnitude)) }
        #expect(worst <= 1, "\(what): error reaches \(worst) times its bound", sourceLocation: sourceLocation)
    }

    @Test(arguments: problems.indices)
    func winogradIsWithinItsBound(_ index: Int) {
        let problem = Self.problems[index]
        let exact = problem.direct(x: problem.x.map(Double.init), weight: problem.weight.map(Double.init),
                                   bias: problem.bias.map(Double.init), dy: problem.dy.map(Double.init))
        let magnitude = problem.winogradMagnitudes(), computed = problem.run(.winograd)
        let tiles = problem.n * ((problem.outH + 1) / 2) * ((problem.outW + 1) / 2)
        expectWithin(computed.y, exact.y, magnitude.y, gamma(problem.c + 16), "y")
        expectWithin(computed.dx, exact.dx, magnitude.dx, gamma(problem.o + 16), "∂x")
        expectWithin(computed.dw, exact.dw, magnitude.dw, gamma(tiles + 16), "∂W")
    }

    /// The exact path, one setting away: im2col + sgemm within γ_L·Σ|terms|, and not the Winograd bits.
    @Test(arguments: problems.indices)
    func gemmIsWithinTheSumBound(_ index: Int) {
        let problem = Self.problems[index]
        let exact = problem.direct(x: problem.x.map(Double.init), weight: problem.weight.map(Double.init),
                                   bias: problem.bias.map(Double.init), dy: problem.dy.map(Double.init))
        let magnitude = problem.direct(x: problem.x.map { Double(abs($0)) }, weight: problem.weight.map { Double(abs($0)) },
                                       bias: problem.bias.map { Double(abs($0)) }, dy: problem.dy.map { Double(abs($0)) })
        let computed = problem.run(.gemm)
        let positions = problem.n * problem.outH * problem.outW
        expectWithin(computed.y, exact.y, magnitude.y, gamma(9 * problem.c + 1), "y")
        expectWithin(computed.dx, exact.dx, magnitude.dx, gamma(9 * problem.o + 1), "∂x")
        expectWithin(computed.dw, exact.dw, magnitude.dw, gamma(positions + 4), "∂W")
        #expect(computed.y != problem.run(.winograd).y, "the two algorithms round differently, so both paths ran")
    }

    /// The transforms' AVX2 + FMA build and the baseline one give the same bits (additions in a
    /// fixed order, nothing contracted, halving exact).
    @Test func bothInstructionPathsGiveTheSameBits() {
        let problem = Self.problems[0]
        ck_set_baseline(0)
        let dispatched = problem.run(.winograd)
        ck_set_baseline(1)
        defer { ck_set_baseline(0) }
        let baseline = problem.run(.winograd)
        for (a, b) in [(dispatched.y, baseline.y), (dispatched.dx, baseline.dx), (dispatched.dw, baseline.dw)] {
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
        }
    }

    /// Evaluation (`infer`, the inference path's convolution) gives the training pass's bits.
    @Test func inferenceMatchesTheTrainingPass() {
        let problem = Self.problems[3]
        let conv = Conv2d(problem.c, problem.o, kernel: 3, padding: problem.p)
        conv.weight.value.assign(problem.weight)
        conv.bias!.value.assign(problem.bias)
        let x = Tensor(shape: [problem.n, problem.h, problem.w, problem.c], values: problem.x)
        #expect(conv.infer(x, in: Workspace()).array == problem.run(.winograd).y)
    }
}
