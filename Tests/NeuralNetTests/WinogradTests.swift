import CKernels
@testable import NeuralNet
import Simplex
import Testing

/// The Winograd F(2×2, 3×3) and F(2×2, 5×5) convolutions against direct sums in double: output, ∂x
/// and ∂W within the bound `WinogradTiles` states, |computed − exact| ≤ γₙ·E with n = L + 16 (r = 3)
/// or L + 32 (r = 5) and E the algorithm evaluated in double on absolute values with |B|, |G|, |A|
/// (written out here from the one-dimensional definitions, not taken from the kernels). The same
/// shapes through im2col + sgemm stay within γ_L of Σ|terms| (L = r²·C, r²·O, the output
/// positions), the exact path's bound.
@Suite struct WinogradTests {
    /// One convolution problem: input [N, H, W, C], O outputs, an r×r kernel, padding p, random x, W, b, ∂y.
    struct Problem {
        let n, h, w, c, o, r, p: Int
        let x, weight, bias, dy: [Float]
        var outH: Int { h + 2 * p - r + 1 }
        var outW: Int { w + 2 * p - r + 1 }
        /// The side of a tile's input window.
        var side: Int { r + 1 }
        /// k of the bound n = L + k.
        var extraRoundings: Int { r == 3 ? 16 : 32 }

        init(_ n: Int, _ h: Int, _ w: Int, _ c: Int, _ o: Int, kernel r: Int = 3, padding p: Int, seed: UInt) {
            (self.n, self.h, self.w, self.c, self.o, self.r, self.p) = (n, h, w, c, o, r, p)
            let random = RandomSource(seed: seed)
            func values(_ count: Int) -> [Float] { (0 ..< count).map { _ in Float(random.gaussian(sigma: 1)) } }
            x = values(n * h * w * c)
            weight = values(o * r * r * c)
            bias = values(o)
            dy = values(n * (h + 2 * p - r + 1) * (w + 2 * p - r + 1) * o)
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
                            for ky in 0 ..< r {
                                for kx in 0 ..< r {
                                    let (iy, ix) = (oy - p + ky, ox - p + kx), inside = iy >= 0 && iy < h && ix >= 0 && ix < w
                                    for ch in 0 ..< c {
                                        let wi = ((out * r + ky) * r + kx) * c + ch, xv = pixel(x, image, iy, ix, ch)
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
            let (bt, g, at) = r == 3 ? WinogradTests.magnitudes3 : WinogradTests.magnitudes5, (r, side) = (r, side)
            func product(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
                a.map { row in (0 ..< b[0].count).map { j in zip(row, b).reduce(0) { $0 + $1.0 * $1.1[j] } } }
            }
            func transpose(_ a: [[Double]]) -> [[Double]] { (0 ..< a[0].count).map { j in a.map { $0[j] } } }
            let ax = x.map { Double(abs($0)) }, aw = weight.map { Double(abs($0)) }, ady = dy.map { Double(abs($0)) }
            let (tilesH, tilesW) = ((outH + 1) / 2, (outW + 1) / 2)
            // |U| per (o, c), |V| per (tile, c), |∂M| per (tile, o), side×side each.
            var u = [[[Double]]](), v = [[[Double]]](), dm = [[[Double]]]()
            for out in 0 ..< o {
                for ch in 0 ..< c {
                    let kernel = (0 ..< r).map { ky in (0 ..< r).map { kx in aw[((out * r + ky) * r + kx) * c + ch] } }
                    u.append(product(product(g, kernel), transpose(g)))
                }
            }
            var tiles = [(image: Int, ty: Int, tx: Int)]()
            for image in 0 ..< n { for ty in 0 ..< tilesH { for tx in 0 ..< tilesW { tiles.append((image, ty, tx)) } } }
            for (image, ty, tx) in tiles {
                for ch in 0 ..< c {
                    let d = (0 ..< side).map { i in (0 ..< side).map { j in pixel(ax, image, 2 * ty - p + i, 2 * tx - p + j, ch) } }
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
            var du = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: side), count: side), count: o * c)
            for (t, (image, ty, tx)) in tiles.enumerated() {
                for out in 0 ..< o {
                    var m = [[Double]](repeating: [Double](repeating: 0, count: side), count: side)
                    for ch in 0 ..< c {
                        for i in 0 ..< side {
                            for j in 0 ..< side {
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
                    var s = [[Double]](repeating: [Double](repeating: 0, count: side), count: side)
                    for out in 0 ..< o { for i in 0 ..< side { for j in 0 ..< side { s[i][j] += dm[t * o + out][i][j] * u[out * c + ch][i][j] } } }
                    let window = product(product(transpose(bt), s), bt)
                    for i in 0 ..< side {
                        for j in 0 ..< side {
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
                    for ky in 0 ..< r { for kx in 0 ..< r { dw[((out * r + ky) * r + kx) * c + ch] = kernel[ky][kx] } }
                }
            }
            return (y, dx, dw)
        }

        /// The layer's y, ∂x, ∂W with `algorithm`.
        func run(_ algorithm: ConvolutionAlgorithm) -> (y: [Float], dx: [Float], dw: [Float]) {
            let conv = Conv2d(c, o, kernel: r, padding: p, algorithm: algorithm)
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
        Problem(2, 7, 9, 3, 4, kernel: 5, padding: 2, seed: 5),   // 5×5: odd output height and width
        Problem(3, 8, 6, 2, 3, kernel: 5, padding: 0, seed: 6),   // no padding, a 4×2 output
        Problem(1, 3, 3, 2, 2, kernel: 5, padding: 3, seed: 7),   // padding past the kernel's reach
        Problem(36, 20, 20, 6, 5, kernel: 5, padding: 0, seed: 8),  // four chunks of three groups
        Problem(4, 12, 12, 20, 50, kernel: 5, padding: 0, seed: 9),  // LeNet-5's second layer
    ]

    /// |Bᵀ|, |G|, |Aᵀ| of F(2, 3): points 0, 1, −1, ∞.
    static let magnitudes3: (bt: [[Double]], g: [[Double]], at: [[Double]]) = (
        [[1, 0, 1, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 1, 0, 1]],
        [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], [0, 0, 1]],
        [[1, 1, 1, 0], [0, 1, 1, 1]])

    /// |Bᵀ|, |G|, |Aᵀ| of F(2, 5): points a = 0, 1, −1, 2, −2, ∞; G_jk = c_j·a_jᵏ with
    /// c = (1/4, −1/6, −1/6, 1/24, 1/24) and (0, 0, 0, 0, 1) for ∞, Aᵀ_ij = a_jⁱ and (0, 1) for ∞.
    static let magnitudes5: (bt: [[Double]], g: [[Double]], at: [[Double]]) = {
        let points: [Double] = [0, 1, -1, 2, -2], scales: [Double] = [1.0 / 4, 1.0 / 6, 1.0 / 6, 1.0 / 24, 1.0 / 24]
        let g = zip(points, scales).map { a, c in (0 ..< 5).map { k in (0 ..< k).reduce(c) { product, _ in product * abs(a) } } } + [[0, 0, 0, 0, 1]]
        let at = [points.map { _ in 1.0 } + [0], points.map(abs) + [1]]
        let bt: [[Double]] = [[4, 0, 5, 0, 1, 0], [0, 4, 4, 1, 1, 0], [0, 4, 4, 1, 1, 0],
                              [0, 2, 1, 2, 1, 0], [0, 2, 1, 2, 1, 0], [0, 4, 0, 5, 0, 1]]
        return (bt, g, at)
    }()

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
        let k = problem.extraRoundings
        expectWithin(computed.y, exact.y, magnitude.y, gamma(problem.c + k), "y")
        expectWithin(computed.dx, exact.dx, magnitude.dx, gamma(problem.o + k), "∂x")
        expectWithin(computed.dw, exact.dw, magnitude.dw, gamma(tiles + k), "∂W")
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
        let taps = problem.r * problem.r
        expectWithin(computed.y, exact.y, magnitude.y, gamma(taps * problem.c + 1), "y")
        expectWithin(computed.dx, exact.dx, magnitude.dx, gamma(taps * problem.o + 1), "∂x")
        expectWithin(computed.dw, exact.dw, magnitude.dw, gamma(positions + 4), "∂W")
        #expect(computed.y != problem.run(.winograd).y, "the two algorithms round differently, so both paths ran")
    }

    /// The transforms' AVX2 + FMA build and the baseline one give the same bits (additions in a
    /// fixed order, nothing contracted, the same rounded constants), for each kernel side.
    @Test(arguments: [0, 4])
    func bothInstructionPathsGiveTheSameBits(_ index: Int) {
        let problem = Self.problems[index]
        ck_set_baseline(0)
        let dispatched = problem.run(.winograd)
        ck_set_baseline(1)
        defer { ck_set_baseline(0) }
        let baseline = problem.run(.winograd)
        for (a, b) in [(dispatched.y, baseline.y), (dispatched.dx, baseline.dx), (dispatched.dw, baseline.dw)] {
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
        }
    }

    /// Which convolutions take the Winograd path: 3×3 and 5×5 kernels of stride 1 with the `winograd`
    /// setting, except a single-channel input without padding, which the forward pass convolves directly.
    @Test func winogradCoversTheKernelsItHasTransformsFor() {
        func tiled(_ c: Int, kernel: Int, stride: Int = 1, padding: Int = 0, _ algorithm: ConvolutionAlgorithm = .winograd) -> Int? {
            Conv2d(c, 4, kernel: kernel, stride: stride, padding: padding, algorithm: algorithm)
                .winogradTiles(for: [2, 12, 12, c]).map(\.planes)
        }
        #expect(tiled(3, kernel: 3, padding: 1) == 16 && tiled(20, kernel: 5) == 36)
        #expect(tiled(1, kernel: 3, padding: 1) == 16, "a padded single-channel input has no direct pass")
        #expect(tiled(1, kernel: 5) == nil && tiled(20, kernel: 5, stride: 2) == nil && tiled(20, kernel: 7) == nil)
        #expect(tiled(20, kernel: 5, .gemm) == nil && tiled(3, kernel: 3, padding: 1, .gemm) == nil)
    }

    /// Evaluation (`infer`, the inference path's convolution) gives the training pass's bits.
    @Test(arguments: [3, 7])
    func inferenceMatchesTheTrainingPass(_ index: Int) {
        let problem = Self.problems[index]
        let conv = Conv2d(problem.c, problem.o, kernel: problem.r, padding: problem.p)
        conv.weight.value.assign(problem.weight)
        conv.bias!.value.assign(problem.bias)
        let x = Tensor(shape: [problem.n, problem.h, problem.w, problem.c], values: problem.x)
        #expect(conv.infer(x, in: Workspace()).array == problem.run(.winograd).y)
    }
}
