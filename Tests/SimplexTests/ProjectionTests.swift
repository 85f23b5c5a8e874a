import PropertyBased
import RealModule
import Simplex
import Testing

@Suite struct ProjectionTests {
    /// Rows mixing ordinary and ±1e30 entries, with β = 10^e for e ∈ [−3, 8].
    static let rows = zip(
        Gen.double(in: -3 ... 3).array(of: 1 ... 8),
        Gen.element(of: [1.0, 1.0, 1e30]).array(of: 8),
        Gen.double(in: -3 ... 8))

    @Test func everyProjectionLandsOnTheSimplex() async {
        await propertyCheck(count: 300, input: Self.rows) { base, scales, exponent in
            let row = zip(base, scales).map { $0 * ($1 ?? 1) }
            let beta = Double.pow(10, exponent)
            for projection in [Projection<Double>.softmax(beta: beta), .sparsemax(beta: beta), .hardmax] {
                let u = projection(row)
                #expect(isOnSimplex(u, tolerance: 1e-12), "\(projection) of \(row) gave \(u)")
            }
            let single = Projection<Float>.softmax(beta: Float(beta))(row.map(Float.init))
            #expect(single.allSatisfy { $0.isFinite && $0 >= 0 } && abs(single.reduce(0, +) - 1) < 1e-5)
        }
    }

    @Test func softmaxIsExactlyOneHotWhenTheGapIsHuge() {
        #expect(Projection<Double>.softmax(beta: 1e8)([1e30, -1e30, 0]) == [1, 0, 0])
        #expect(Projection<Float>.softmax(beta: 1e8)([3e38, -3e38]) == [1, 0])
        #expect(Projection<Double>.softmax(beta: 1)([0.5, 0.5]) == [0.5, 0.5])
    }

    /// Σ_{λ≠λ*} softmax(βx)_λ = Σ exp(−β(x* − x_λ)) / (1 + …), so −log(that)/β → gap = x* − x₍₂₎.
    @Test func softmaxApproachesHardmaxAtTheRateTheGapPredicts() {
        let random = RandomSource(seed: 7)
        for _ in 0 ..< 50 {
            let x = randomRow(4, scale: 2, using: random)
            let sorted = x.sorted(by: >)
            let gap = sorted[0] - sorted[1]
            guard gap > 0.05 else { continue }
            let hard = Projection<Double>.hardmax(x)
            var previous = Double.infinity
            for beta in [50.0, 100, 200, 400] where beta * gap < 600 {
                let s = Projection<Double>.softmax(beta: beta)(x)
                let offMass = zip(s, hard).filter { $0.1 == 0 }.map(\.0).reduce(0, +)
                #expect(offMass < previous)
                previous = offMass
                // Exact: offMass = Σ_{λ≠*} e^{−β gap_λ} / (1 + Σ …); bounded by (d−1)e^{−β gap}, at least e^{−β gap}/d.
                let bound = Double.exp(-beta * gap)
                #expect(offMass <= 3 * bound * (1 + 1e-12) && offMass >= bound / 4 * (1 - 1e-12))
            }
        }
    }

    /// Sparsemax against an independent solution of min ‖z − y‖² on the simplex: enumerate every
    /// support S, solve the equality-constrained problem on S (z_S = y_S − τ), keep the feasible
    /// candidate with the least objective.
    @Test func sparsemaxEqualsBruteForceQuadraticProgram() {
        let random = RandomSource(seed: 11)
        for trial in 0 ..< 2000 {
            let d = 1 + trial % 5
            let beta = [0.1, 1, 3, 10][trial % 4]
            let x = randomRow(d, scale: 2, using: random)
            let y = x.map { beta * $0 }
            var best: (value: Double, z: [Double])? = nil
            for mask in 1 ..< (1 << d) {
                let support = (0 ..< d).filter { mask & (1 << $0) != 0 }
                let tau = (support.map { y[$0] }.reduce(0, +) - 1) / Double(support.count)
                let z = (0 ..< d).map { support.contains($0) ? y[$0] - tau : 0 }
                guard z.allSatisfy({ $0 >= -1e-15 }) else { continue }
                let value = zip(z, y).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
                if best == nil || value < best!.value { best = (value, z) }
            }
            let z = Projection<Double>.sparsemax(beta: beta)(x)
            #expect(maxAbsDifference(z, best!.z) < 1e-12, "x=\(x) β=\(beta)")
        }
    }

    @Test func hardmaxPicksTheLowestIndexOnTies() {
        #expect(Projection<Double>.hardmax([0.2, 0.7, 0.7]) == [0, 1, 0])
        #expect(Projection<Double>.hardmax([1, 1]) == [1, 0])
        #expect(Projection<Double>.hardmax([-5, 3, -1e30]) == [0, 1, 0])
    }

    @Test func matrixProjectionWorksRowByRow() {
        let x = RowMatrix<Double>([[0.1, 0.9], [2, -1], [0, 0]])
        let u = Projection<Double>.softmax(beta: 3)(x)
        for r in 0 ..< 3 { #expect(u.row(r) == Projection<Double>.softmax(beta: 3)(x.row(r))) }
    }
}

/// The vectorised binary Float path of `applyAndLift` / `pullbackFromWeights` against the generic
/// row functions in Double: a few Float ulps apart (|Δ| ≤ 2e-6 for entries of size ≤ 1·β).
@Suite struct LiftedProjectionTests {
    @Test(arguments: [Projection<Float>.softmax(beta: 3), .softmax(beta: 0.5, jacobian: .reference),
                      .softmax(beta: 3, jacobian: .reference), .softmax(beta: 0.5, jacobian: .oneSoftmax),
                      .softmax(beta: 1e4), .sparsemax(beta: 2), .hardmax])
    func binaryFloatPathMatchesDouble(_ projection: Projection<Float>) {
        let random = RandomSource(seed: 12)
        let rows = 37  // not a multiple of 8: exercises the padded tail
        let x = (0 ..< 2 * rows).map { _ in Float(random.uniform(-2, 2)) }
        let g = (0 ..< rows).map { _ in Float(random.uniform(-1, 1)) }
        let q: [Float] = [-1, 1]
        var u = [Float](repeating: 0, count: 2 * rows), w = [Float](repeating: 0, count: rows), out = u
        x.withUnsafeBufferPointer { xs in
            u.withUnsafeMutableBufferPointer { us in
                w.withUnsafeMutableBufferPointer { ws in projection.applyAndLift(xs, into: us, weights: ws, levels: q) }
            }
        }
        x.withUnsafeBufferPointer { xs in
            u.withUnsafeBufferPointer { us in
                g.withUnsafeBufferPointer { gs in
                    out.withUnsafeMutableBufferPointer { projection.pullbackFromWeights(input: xs, output: us, weightGradient: gs, levels: q, into: $0) }
                }
            }
        }
        let double: Projection<Double> = switch projection {
        case .softmax(let beta, let jacobian): .softmax(beta: Double(beta), jacobian: jacobian)
        case .sparsemax(let beta): .sparsemax(beta: Double(beta))
        case .hardmax: .hardmax
        }
        let xd = RowMatrix(rows: rows, columns: 2, storage: x.map(Double.init))
        let ud = double(xd)
        let upstream = RowMatrix(rows: rows, columns: 2, storage: g.flatMap { [-Double($0), Double($0)] })
        let expected = double.pullback(at: xd, upstream: upstream)
        let scale = max(1, Double(projection == .hardmax ? 1 : { if case .softmax(let b, _) = projection { return b }; if case .sparsemax(let b) = projection { return b }; return 1 }()))
        #expect(maxAbsDifference(u.map(Double.init), ud.storage) <= 2e-6)
        #expect(maxAbsDifference(w.map(Double.init), QuantizationLevels.binary.lift(ud)) <= 4e-6)
        #expect(maxAbsDifference(out.map(Double.init), expected.storage) <= 4e-6 * scale)
    }

    /// The binary hardmax path of `applyAndLift` / `pullbackFromWeights` gives the generic row
    /// functions' bits (`apply`, w summed from 0, then `pullback` of g·q), with ties (the lowest index
    /// wins), gaps of exactly 1 (inside the straight-through window) and asymmetric levels.
    @Test func binaryHardmaxPathMatchesTheGenericRowsBitForBit() {
        let random = RandomSource(seed: 15)
        let rows = 45
        var x = (0 ..< 2 * rows).map { _ in Float(random.uniform(-2, 2)) }
        (x[0], x[1], x[2], x[3], x[4], x[5]) = (0.25, 0.25, 0.5, 1.5, 1.5, 0.5)
        let g = (0 ..< rows).map { _ in Float(random.uniform(-1, 1)) }
        for q: [Float] in [[-1, 1], [0.5, 2]] {
            var u = [Float](repeating: 0, count: 2 * rows), w = [Float](repeating: 0, count: rows), out = u
            var uGeneric = u, outGeneric = u
            x.withUnsafeBufferPointer { xs in
                u.withUnsafeMutableBufferPointer { us in
                    w.withUnsafeMutableBufferPointer { ws in Projection<Float>.hardmax.applyAndLift(xs, into: us, weights: ws, levels: q) }
                }
                u.withUnsafeBufferPointer { us in
                    g.withUnsafeBufferPointer { gs in
                        out.withUnsafeMutableBufferPointer { Projection<Float>.hardmax.pullbackFromWeights(input: xs, output: us, weightGradient: gs, levels: q, into: $0) }
                    }
                }
                uGeneric.withUnsafeMutableBufferPointer { Projection<Float>.hardmax.apply(xs, into: $0, columns: 2) }
                let upstream = (0 ..< rows).flatMap { j in [g[j] * q[0], g[j] * q[1]] }
                uGeneric.withUnsafeBufferPointer { us in
                    upstream.withUnsafeBufferPointer { vs in
                        outGeneric.withUnsafeMutableBufferPointer { Projection<Float>.hardmax.pullback(input: xs, output: us, upstream: vs, into: $0, columns: 2) }
                    }
                }
            }
            let wGeneric = (0 ..< rows).map { j -> Float in
                var sum: Float = 0
                for l in 0 ..< 2 { sum += uGeneric[2 * j + l] * q[l] }
                return sum
            }
            #expect(u == uGeneric && w.map(\.bitPattern) == wGeneric.map(\.bitPattern) && out.map(\.bitPattern) == outGeneric.map(\.bitPattern), "q = \(q)")
            #expect(u[0 ..< 6] == [1, 0, 0, 1, 1, 0] && out[2] != 0 && out[4] != 0, "ties and gaps of 1, q = \(q)")
        }
    }

    /// The vectorised softmax lift of wider rows (`SoftmaxRows`: ternary, k4, five levels) against
    /// softmax in Double: u and w a few Float ulps apart, including rows with huge entries (whose
    /// other entries become exactly 0) and ties at the maximum.
    @Test(arguments: [3, 4, 5])
    func wideSoftmaxRowsMatchDouble(_ d: Int) {
        let random = RandomSource(seed: 13)
        let rows = 29  // rows·d not a multiple of 8: exercises the padded tail
        var x = (0 ..< d * rows).map { _ in Float(random.uniform(-2, 2)) }
        x[0] = 1e30
        x[d] = -1e30
        for l in 0 ..< d { x[2 * d + l] = 0.5 }  // a row of ties
        let q = (0 ..< d).map { Float($0) - Float(d - 1) / 2 }
        for beta: Float in [0.5, 3, 1e4] {
            var u = [Float](repeating: 0, count: d * rows), w = [Float](repeating: 0, count: rows)
            x.withUnsafeBufferPointer { xs in
                u.withUnsafeMutableBufferPointer { us in
                    w.withUnsafeMutableBufferPointer { ws in Projection<Float>.softmax(beta: beta).applyAndLift(xs, into: us, weights: ws, levels: q) }
                }
            }
            let ud = Projection<Double>.softmax(beta: Double(beta))(RowMatrix(rows: rows, columns: d, storage: x.map(Double.init)))
            let wd = (0 ..< rows).map { r in (0 ..< d).reduce(0.0) { $0 + ud.storage[r * d + $1] * Double(q[$1]) } }
            #expect(maxAbsDifference(u.map(Double.init), ud.storage) <= 2e-6, "d = \(d), β = \(beta)")
            #expect(maxAbsDifference(w.map(Double.init), wd) <= 4e-6 * Double(d), "d = \(d), β = \(beta)")
            #expect(u[0] == 1 && u[1 ..< d].allSatisfy { $0 == 0 } && u[2 * d ..< 3 * d].allSatisfy { $0 == u[2 * d] })
        }
    }

    /// The pullback of wider Float rows (`pullbackFromWeights`, ternary and k4: `SoftmaxRows`) for
    /// each softmax matrix against the Double generic path: a few Float ulps apart, scaled by β; the
    /// exact and one-softmax matrices also bit for bit against the generic Float rows.
    @Test(arguments: SoftmaxJacobian.allCases)
    func wideFloatPullbackMatchesDouble(_ jacobian: SoftmaxJacobian) {
        let random = RandomSource(seed: 14)
        for d in [3, 4] {
            let rows = 21, beta: Float = 2.5
            let x = (0 ..< d * rows).map { _ in Float(random.uniform(-2, 2)) }, g = (0 ..< rows).map { _ in Float(random.uniform(-1, 1)) }
            let q = (0 ..< d).map { Float($0) - Float(d - 1) / 2 }
            let projection = Projection<Float>.softmax(beta: beta, jacobian: jacobian)
            var u = [Float](repeating: 0, count: d * rows), w = [Float](repeating: 0, count: rows), out = u
            x.withUnsafeBufferPointer { xs in
                u.withUnsafeMutableBufferPointer { us in
                    w.withUnsafeMutableBufferPointer { ws in projection.applyAndLift(xs, into: us, weights: ws, levels: q) }
                }
                u.withUnsafeBufferPointer { us in
                    g.withUnsafeBufferPointer { gs in
                        out.withUnsafeMutableBufferPointer { projection.pullbackFromWeights(input: xs, output: us, weightGradient: gs, levels: q, into: $0) }
                    }
                }
            }
            let xd = RowMatrix(rows: rows, columns: d, storage: x.map(Double.init))
            let upstream = RowMatrix(rows: rows, columns: d, storage: (0 ..< rows).flatMap { j in q.map { Double(g[j]) * Double($0) } })
            let expected = Projection<Double>.softmax(beta: Double(beta), jacobian: jacobian).pullback(at: xd, upstream: upstream)
            #expect(maxAbsDifference(out.map(Double.init), expected.storage) <= 4e-6 * Double(beta) * Double(d), "d = \(d)")
            // Without a second softmax (whose exponentials are the vector code's), the generic rows' bits.
            guard jacobian != .reference else { continue }
            let upstreamFloat = (0 ..< rows).flatMap { j in q.map { g[j] * $0 } }
            var generic = [Float](repeating: 0, count: d * rows)
            x.withUnsafeBufferPointer { xs in
                u.withUnsafeBufferPointer { us in
                    upstreamFloat.withUnsafeBufferPointer { vs in
                        generic.withUnsafeMutableBufferPointer { projection.pullback(input: xs, output: us, upstream: vs, into: $0, columns: d) }
                    }
                }
            }
            #expect(out.map(\.bitPattern) == generic.map(\.bitPattern), "d = \(d), \(jacobian)")
        }
    }
}
