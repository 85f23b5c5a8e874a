import CKernels
import Simplex

/// Elementwise kernels on raw buffers, eight lanes at a time with `SIMD8<Float>`.
enum Kernels {
    typealias Vector = SIMD8<Float>

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ i: Int) -> Vector {
        UnsafeRawPointer(p + i).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: Vector.self)
    }

    /// y = max(x, 0).
    static func relu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        let zero = Vector(repeating: 0)
        while i + 8 <= count {
            let v = load(x, i)
            store(v.replacing(with: 0, where: v .< zero), y, i)
            i += 8
        }
        while i < count { y[i] = max(x[i], 0); i += 1 }
    }

    /// dx = dy where y > 0, else 0.
    static func reluBackward(output y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        let zero = Vector(repeating: 0)
        while i + 8 <= count {
            store(load(dy, i).replacing(with: 0, where: load(y, i) .<= zero), dx, i)
            i += 8
        }
        while i < count { dx[i] = y[i] > 0 ? dy[i] : 0; i += 1 }
    }

    /// Copies `count` floats; vector moves rather than a `memmove` call, since runs are short.
    @inline(__always)
    static func copy(_ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            store(load(x, i), y, i)
            i += 8
        }
        while i + 4 <= count {
            UnsafeMutableRawPointer(y + i).storeBytes(of: UnsafeRawPointer(x + i).loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
            i += 4
        }
        while i < count { y[i] = x[i]; i += 1 }
    }

    /// Sets `count` floats to `value`.
    @inline(__always)
    static func fill(_ y: UnsafeMutablePointer<Float>, _ value: Float, count: Int) {
        var i = 0
        while i + 8 <= count {
            store(Vector(repeating: value), y, i)
            i += 8
        }
        while i < count { y[i] = value; i += 1 }
    }

    /// Whether any of `count` floats is NaN or ±∞: 0·x is NaN exactly for those, and a sum of
    /// NaNs and zeros is NaN exactly when one term is (eight lanes, and two sums so that the adds
    /// need not wait for each other).
    static func containsNonFinite(_ x: UnsafePointer<Float>, count: Int) -> Bool {
        var (probe, other) = (Vector(repeating: 0), Vector(repeating: 0))
        var i = 0
        while i + 16 <= count {
            probe += 0 * load(x, i)
            other += 0 * load(x, i + 8)
            i += 16
        }
        probe += other
        while i + 8 <= count {
            probe += 0 * load(x, i)
            i += 8
        }
        var tail: Float = 0
        while i < count { tail += 0 * x[i]; i += 1 }
        return (probe.sum() + tail).isNaN
    }

    /// y += x.
    static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            store(load(y, i) + load(x, i), y, i)
            i += 8
        }
        while i < count { y[i] += x[i]; i += 1 }
    }

    /// Applies `vector` to eight lanes at a time and `scalar` to the rest, over `count` entries
    /// (the two must compute the same formula).
    @inline(__always)
    static func lanes(count: Int, _ vector: (Int) -> Void, _ scalar: (Int) -> Void) {
        var i = 0
        while i + 8 <= count { vector(i); i += 8 }
        while i < count { scalar(i); i += 1 }
    }

    /// h = x − μ and s += h² (BatchNorm's centring pass over one row segment).
    @inline(__always)
    static func centre(_ x: UnsafePointer<Float>, mean: UnsafePointer<Float>, into h: UnsafeMutablePointer<Float>,
                       squares: UnsafeMutablePointer<Float>, count: Int) {
        lanes(count: count, { i in
            let c = load(x, i) - load(mean, i)
            store(c, h, i)
            store(load(squares, i) + c * c, squares, i)
        }, { i in
            let c = x[i] - mean[i]
            h[i] = c
            squares[i] += c * c
        })
    }

    /// s += (x − μ)² (squared deviations from a mean, without storing them).
    @inline(__always)
    static func accumulateSquaredDeviations(_ x: UnsafePointer<Float>, mean: UnsafePointer<Float>,
                                            squares: UnsafeMutablePointer<Float>, count: Int) {
        lanes(count: count, { i in
            let c = load(x, i) - load(mean, i)
            store(load(squares, i) + c * c, squares, i)
        }, { i in
            let c = x[i] - mean[i]
            squares[i] += c * c
        })
    }

    /// y = a·x (elementwise; y may be x).
    @inline(__always)
    static func multiply(_ a: UnsafePointer<Float>, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        lanes(count: count, { i in store(load(a, i) * load(x, i), y, i) }, { i in y[i] = a[i] * x[i] })
    }

    /// y = (x − μ)·a.
    @inline(__always)
    static func standardize(_ x: UnsafePointer<Float>, mean: UnsafePointer<Float>, scale a: UnsafePointer<Float>,
                            into y: UnsafeMutablePointer<Float>, count: Int) {
        lanes(count: count, { i in store((load(x, i) - load(mean, i)) * load(a, i), y, i) }, { i in y[i] = (x[i] - mean[i]) * a[i] })
    }

    /// y = γ·x + β.
    @inline(__always)
    static func affine(_ x: UnsafePointer<Float>, scale gamma: UnsafePointer<Float>, shift beta: UnsafePointer<Float>,
                       into y: UnsafeMutablePointer<Float>, count: Int) {
        lanes(count: count, { i in store(load(gamma, i) * load(x, i) + load(beta, i), y, i) }, { i in y[i] = gamma[i] * x[i] + beta[i] })
    }

    /// s += g and d += g·h (BatchNorm's backward sums over one row segment).
    @inline(__always)
    static func accumulateGradient(_ g: UnsafePointer<Float>, _ h: UnsafePointer<Float>, sum: UnsafeMutablePointer<Float>,
                                   dot: UnsafeMutablePointer<Float>, count: Int) {
        lanes(count: count, { i in
            let gi = load(g, i)
            store(load(sum, i) + gi, sum, i)
            store(load(dot, i) + gi * load(h, i), dot, i)
        }, { i in
            sum[i] += g[i]
            dot[i] += g[i] * h[i]
        })
    }

    /// Where y > 0: s += g and d += g·y (BatchNorm's backward sums when ReLU follows and y, its
    /// output, equals x̂ wherever it is positive; elsewhere the gradient is zero).
    @inline(__always)
    static func accumulateRectifiedGradient(_ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, sum: UnsafeMutablePointer<Float>,
                                            dot: UnsafeMutablePointer<Float>, count: Int) {
        let zero = Vector(repeating: 0)
        lanes(count: count, { i in
            let (gi, yi) = (load(g, i), load(y, i))
            let passed = gi.replacing(with: 0, where: yi .<= zero)
            store(load(sum, i) + passed, sum, i)
            store(load(dot, i) + passed * yi, dot, i)
        }, { i in
            let passed = y[i] > 0 ? g[i] : 0
            sum[i] += passed
            dot[i] += passed * y[i]
        })
    }

    /// dx = k·(g − m − h·d) with h = (x − μ)·a formed from the layer's input x (BatchNorm's input
    /// gradient with batch statistics, without a stored x̂; in place when dx is g).
    @inline(__always)
    static func normalizedGradient(_ g: UnsafePointer<Float>, input x: UnsafePointer<Float>, mean mu: UnsafePointer<Float>,
                                   inverseDeviation a: UnsafePointer<Float>, scale k: UnsafePointer<Float>,
                                   meanGradient m: UnsafePointer<Float>, meanDot d: UnsafePointer<Float>,
                                   into dx: UnsafeMutablePointer<Float>, count: Int) {
        lanes(count: count, { i in
            let h = (load(x, i) - load(mu, i)) * load(a, i)
            store(load(k, i) * (load(g, i) - load(m, i) - h * load(d, i)), dx, i)
        }, { i in dx[i] = k[i] * (g[i] - m[i] - (x[i] - mu[i]) * a[i] * d[i]) })
    }

    /// dx = k·(g − m − h·d), BatchNorm's input gradient with batch statistics.
    @inline(__always)
    static func normalizedGradient(_ g: UnsafePointer<Float>, _ h: UnsafePointer<Float>, scale k: UnsafePointer<Float>,
                                   meanGradient m: UnsafePointer<Float>, meanDot d: UnsafePointer<Float>,
                                   into dx: UnsafeMutablePointer<Float>, count: Int) {
        lanes(count: count, { i in store(load(k, i) * (load(g, i) - load(m, i) - load(h, i) * load(d, i)), dx, i) },
              { i in dx[i] = k[i] * (g[i] - m[i] - h[i] * d[i]) })
    }

    /// One Adam update of `count` entries (see `Adam`): d = g + λw; m ← β₁m + (1−β₁)d;
    /// v ← β₂v + (1−β₂)d²; w ← w − step·m/(√v·c + ε), with step = lr/(1−β₁ᵗ), c = 1/√(1−β₂ᵗ).
    static func adam(
        _ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
        _ v: UnsafeMutablePointer<Float>, count: Int,
        beta1: Float, beta2: Float, epsilon: Float, decay: Float, step: Float, correction: Float
    ) {
        var i = 0
        let (b1, b2, eps, wd) = (Vector(repeating: beta1), Vector(repeating: beta2), Vector(repeating: epsilon), Vector(repeating: decay))
        let (c1, c2) = (Vector(repeating: 1 - beta1), Vector(repeating: 1 - beta2))
        let (size, scale) = (Vector(repeating: step), Vector(repeating: correction))
        while i + 8 <= count {
            let d = load(g, i) + wd * load(w, i)
            let mi = b1 * load(m, i) + c1 * d
            let vi = b2 * load(v, i) + c2 * d * d
            store(mi, m, i)
            store(vi, v, i)
            store(load(w, i) - size * mi / (ck_sqrt8(vi) * scale + eps), w, i)
            i += 8
        }
        while i < count {
            let d = g[i] + decay * w[i]
            m[i] = beta1 * m[i] + (1 - beta1) * d
            v[i] = beta2 * v[i] + (1 - beta2) * d * d
            w[i] -= step * m[i] / (v[i].squareRoot() * correction + epsilon)
            i += 1
        }
    }
}
