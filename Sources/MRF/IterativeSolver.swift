/// An iterative MRF method (the relaxation solvers and loopy BP): it advances one iteration at a
/// time, can describe its current state as a trace point, and reads off marginals and a labelling.
public protocol IterativeSolver: AnyObject {
    /// The algorithm's spec text, e.g. `pmf[eta=0.5]`.
    var name: String { get }
    /// Iterations done so far.
    var iteration: Int { get }
    /// Stop after this many iterations…
    var maxIterations: Int { get }
    /// …or once an iteration changes nothing by more than this.
    var tolerance: Double { get }
    /// One iteration; returns the largest change it made.
    func step() -> Double
    /// The trace row for the current state (`reference` adds errors against exact answers).
    func tracePoint(maxChange: Double, reference: ExactResult?) -> TracePoint
    /// Current single-variable marginal estimates.
    var marginals: [[Double]] { get }
    /// Current labelling (argmax of each marginal, lowest label among ties).
    var labels: [Int] { get }
}

extension IterativeSolver {
    /// Iterates until the largest change is below `tolerance` or `maxIterations` is reached,
    /// recording the trace; the result's log Z and energy are those of the last trace point.
    public func run(reference: ExactResult? = nil) -> SolverResult {
        var trace = Trace(points: [tracePoint(maxChange: .nan, reference: reference)])
        while iteration < maxIterations {
            let change = step()
            trace.points.append(tracePoint(maxChange: change, reference: reference))
            if change < tolerance { break }
        }
        let last = trace.points[trace.points.count - 1]
        return SolverResult(algorithm: name, logZ: last.logZEstimate, marginals: marginals, labels: labels,
                            energy: last.roundedEnergy, iterations: iteration, trace: trace)
    }
}
