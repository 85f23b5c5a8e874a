/// Short elementwise helpers on raw buffers, eight lanes at a time with `SIMD8<Float>`, inlined into
/// their callers (the bulk elementwise passes of training and im2col are the CKernels `ck_*` functions).
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

    /// y = a + b.
    static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            store(load(a, i) + load(b, i), y, i)
            i += 8
        }
        while i < count { y[i] = a[i] + b[i]; i += 1 }
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
}
