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
            store(pointwiseMax(load(x, i), zero), y, i)
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

    /// y += x.
    static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            store(load(y, i) + load(x, i), y, i)
            i += 8
        }
        while i < count { y[i] += x[i]; i += 1 }
    }

    /// Adds `bias[f]` to column f of every row of a rows×columns matrix.
    static func addRowVector(_ bias: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        for r in 0 ..< rows { add(bias, into: y + r * columns, count: columns) }
    }

    /// sums[f] = Σ_r x[r, f] (column sums of a rows×columns matrix).
    static func columnSums(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>) {
        sums.update(repeating: 0, count: columns)
        for r in 0 ..< rows { add(x + r * columns, into: sums, count: columns) }
    }
}
