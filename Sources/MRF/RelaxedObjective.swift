/// A function of a relaxed labelling u ∈ Δ^m (rows of lengths d_i concatenated, see
/// `CompiledGraph.offsets`) with its gradient, which the relaxation solvers feed to the shared
/// `UpdateRule`s. At a vertex (one-hot rows) every objective here equals the energy of the labelling.
public protocol RelaxedObjective: Sendable {
    /// d_i for each row.
    var cardinalities: [Int] { get }
    /// Row offsets: row i is `offsets[i] ..< offsets[i + 1]`.
    var offsets: [Int] { get }
    /// The objective at u.
    func value(at u: UnsafeBufferPointer<Double>) -> Double
    /// ∂/∂u_i of the objective at u, written into `g` (length d_i).
    func gradient(row i: Int, at u: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>)
    /// The energy of a labelling (the objective at its vertex).
    func energy(of labels: [Int]) -> Double
}

extension RelaxedObjective {
    /// The objective at u given as an array.
    public func value(at u: [Double]) -> Double { u.withUnsafeBufferPointer { value(at: $0) } }

    /// The whole gradient at u, rows concatenated.
    public func gradient(at u: [Double]) -> [Double] {
        var g = [Double](repeating: 0, count: u.count)
        u.withUnsafeBufferPointer { u in
            g.withUnsafeMutableBufferPointer { g in
                for i in cardinalities.indices {
                    gradient(row: i, at: u, into: UnsafeMutableBufferPointer(rebasing: g[offsets[i] ..< offsets[i + 1]]))
                }
            }
        }
        return g
    }
}

/// θ·p for an energy θ ∈ (−∞, +∞] and a probability p, with the measure-theoretic convention
/// ∞·0 = 0: a configuration of probability zero contributes nothing, however large its energy.
@inline(__always)
func weighted(_ energy: Double, _ p: Double) -> Double { p == 0 ? 0 : energy * p }
