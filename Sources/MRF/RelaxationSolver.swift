import RealModule
import Simplex
import Support

/// Runs a relaxation method (`RelaxationSettings`) on a `RelaxedObjective`: each step computes the
/// gradient g_i of the objective for a row and applies the shared `UpdateRule` to that row
/// (Simplex's rules take buffers of whole rows, here one row of d_i entries at a time).
///
/// - Sequential orders update u_i in place, so later rows see earlier rows' new values
///   (coordinate ascent: naive mean-field never lowers its bound −E_u[E] + H(u); ICM and PICM never
///   raise the energy of their labelling once at a vertex).
/// - The parallel order computes every gradient at the previous iterate (split over the cores) and
///   damps: u ← (1−α)·rule + α·u_old.
///
/// A row whose every gradient entry is +∞ (each label violates a hard constraint given the other
/// rows) is left unchanged, as no update rule is defined there.
public final class RelaxationSolver<Objective: RelaxedObjective>: IterativeSolver {
    /// The method and its settings.
    public let settings: RelaxationSettings
    /// The function whose gradients drive the updates.
    public let objective: Objective
    /// The current point, rows concatenated.
    public private(set) var u: [Double]
    /// Iterations done.
    public private(set) var iteration = 0
    private var previous: [Double]
    private let random: RandomSource
    private let maxCardinality: Int
    private let offsets: [Int]
    private let keepsProximalTerm: Bool

    /// Starts at the uniform point or, with init=vertex, at hardmax(−g) of the gradient there.
    public init(_ settings: RelaxationSettings, objective: Objective) {
        self.settings = settings
        self.objective = objective
        let offsets = objective.offsets
        u = objective.cardinalities.flatMap { d in [Double](repeating: 1 / Double(d), count: d) }
        previous = u
        random = RandomSource(seed: UInt(settings.seed))
        maxCardinality = objective.cardinalities.max() ?? 1
        self.offsets = offsets
        keepsProximalTerm = settings.keepsProximalTerm
        if settings.start == .vertex {
            let g = objective.gradient(at: u)
            u.withUnsafeMutableBufferPointer { u in
                g.withUnsafeBufferPointer { g in
                    for i in objective.cardinalities.indices {
                        let range = offsets[i] ..< offsets[i + 1]
                        UpdateRule<Double>.proximalICM(eta: 1).apply(
                            Self.zeroed(UnsafeMutableBufferPointer(rebasing: u[range])),
                            gradient: UnsafeBufferPointer(rebasing: g[range]), columns: range.count)
                    }
                }
            }
        }
    }

    private static func zeroed(_ row: UnsafeMutableBufferPointer<Double>) -> UnsafeMutableBufferPointer<Double> {
        row.update(repeating: 0)
        return row
    }

    /// One iteration (a sweep over all rows); returns the largest change of an entry of u.
    @discardableResult
    public func step() -> Double {
        iteration += 1
        let rule = settings.rule(beta: settings.beta(atIteration: iteration))
        let n = objective.cardinalities.count
        return offsets.withUnsafeBufferPointer { offsets in
            if settings.order == .parallel {
                swap(&u, &previous)
                return previous.withUnsafeBufferPointer { source in
                    u.withUnsafeMutableBufferPointer { target in
                        parallelMaximum(count: n) { range in
                            withScratch { scratch in
                                range.reduce(0) { max($0, update(row: $1, rule: rule, offsets: offsets, source: source, target: target, scratch: scratch)) }
                            }
                        }
                    }
                }
            }
            let order = settings.order == .random ? random.permutation(n) : Array(0 ..< n)
            return u.withUnsafeMutableBufferPointer { target in
                withScratch { scratch in
                    order.reduce(0) {
                        max($0, update(row: $1, rule: rule, offsets: offsets, source: UnsafeBufferPointer(target), target: target, scratch: scratch))
                    }
                }
            }
        }
    }

    /// Two rows of scratch space (the gradient and the old row).
    private func withScratch(_ body: (UnsafeMutableBufferPointer<Double>) -> Double) -> Double {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * maxCardinality, body)
    }

    /// Writes the new row i into `target` from the gradient at `source`; returns its largest change.
    @inline(__always)
    private func update(row i: Int, rule: UpdateRule<Double>, offsets: UnsafeBufferPointer<Int>, source: UnsafeBufferPointer<Double>,
                        target: UnsafeMutableBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<Double>) -> Double {
        let start = offsets[i], d = offsets[i + 1] - start
        let g = UnsafeMutableBufferPointer(rebasing: scratch[0 ..< d])
        let old = UnsafeMutableBufferPointer(rebasing: scratch[maxCardinality ..< maxCardinality + d])
        let row = UnsafeMutableBufferPointer(rebasing: target[start ..< start + d])
        objective.gradient(row: i, at: source, into: g)
        for a in 0 ..< d { old[a] = source[start + a] }
        var feasible = false
        for a in 0 ..< d where g[a] < .infinity { feasible = true }
        guard feasible else {
            for a in 0 ..< d { row[a] = old[a] }
            return 0
        }
        for a in 0 ..< d { row[a] = keepsProximalTerm ? old[a] : 0 }
        rule.apply(row, gradient: UnsafeBufferPointer(g), columns: d)
        let alpha = settings.damping
        var change = 0.0
        for a in 0 ..< d {
            if alpha > 0 { row[a] = (1 - alpha) * row[a] + alpha * old[a] }
            change = max(change, abs(row[a] - old[a]))
        }
        return change
    }

    /// The labelling argmax_a u_i(a) (lowest label among ties).
    public var labels: [Int] {
        u.withUnsafeBufferPointer { u in
            objective.cardinalities.indices.map { i in
                argmax(UnsafeBufferPointer(rebasing: u[offsets[i] ..< offsets[i + 1]]))
            }
        }
    }

    /// The rows of u as arrays.
    public var marginals: [[Double]] {
        objective.cardinalities.indices.map { Array(u[offsets[$0] ..< offsets[$0 + 1]]) }
    }

    /// H(u) = Σ_i H(u_i).
    public var entropy: Double {
        objective.cardinalities.indices.reduce(0) { $0 + Simplex.entropy(u[offsets[$1] ..< offsets[$1 + 1]]) }
    }

    /// The trace point of the current iterate, with errors against `reference` when given.
    public func tracePoint(maxChange: Double, reference: ExactResult?) -> TracePoint {
        let expected = objective.value(at: u), h = entropy
        let bound = -expected + h
        return TracePoint(iteration: iteration, expectedEnergy: expected, entropy: h, logZEstimate: bound,
                          roundedEnergy: objective.energy(of: labels), maxChange: maxChange,
                          beta: settings.beta(atIteration: max(iteration, 1)),
                          marginalError: reference.map { maxMarginalError(marginals, $0.marginals) },
                          logZError: reference.map { bound - $0.logZ })
    }

    /// The canonical spec text of the settings.
    public var name: String { settings.description }
    /// The iteration cap (`maxiter`).
    public var maxIterations: Int { settings.maxIterations }
    /// Convergence threshold on the largest change of a row of u (`tol`).
    public var tolerance: Double { settings.tolerance }
}
