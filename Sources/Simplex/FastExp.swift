/// exp(x) for eight non-positive `Float`s at once (Cephes' expf: x = n·ln 2 + r with |r| ≤ ln2/2,
/// a degree-6 polynomial for eʳ, and 2ⁿ assembled in the exponent bits); within 2 ulp of `expf`.
/// Inputs below −87.33 (where eˣ leaves the normal range) give exactly 0, as does −∞; NaN gives NaN.
@inlinable @inline(__always)
func negativeExp(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let floor: Float = -87.33654
    let isNaN = x .!= x
    let clamped = x.replacing(with: floor, where: x .< floor).replacing(with: 0, where: isNaN)
    // Round x·log₂e to the nearest integer n by adding 1.5·2²³: the sum's low mantissa bits then
    // hold n (|n| ≤ 126), read back as an integer without a conversion instruction.
    let magic = SIMD8<Float>(repeating: 12_582_912)
    let shifted = clamped * 1.442_695_04 + magic
    let n = shifted - magic
    var r = clamped - n * 0.693_359_375
    r = r - n * -2.121_944_4e-4
    let r2 = r * r
    var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_12e-1
    p = p * r2 + r + 1
    let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
    let scale = unsafeBitCast((integer &+ 127) &<< 23, to: SIMD8<Float>.self)
    return (p * scale).replacing(with: 0, where: x .< floor).replacing(with: .nan, where: isNaN)
}
