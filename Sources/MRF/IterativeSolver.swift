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

/// Which states of a run `IterativeSolver.run` records as trace points. A trace point costs about
/// as much as an iteration or more (the objective or the Bethe free energy, the rounded labelling's
/// energy, errors against a reference), so only runs that want the curve pay for it.
public enum TraceRecording: Sendable {
    /// Only the state the run ends in (its log Z estimate and energy become the result's).
    case final
    /// The starting point and every iteration.
    case everyIteration
}

extension IterativeSolver {
    /// Iterates until the largest change is below `tolerance` or `maxIterations` is reached. The
    /// result's log Z and energy are those of the final state's trace point; `recording` says
    /// whether the trace also holds the starting point and every iteration before it (the final
    /// point is the same either way).
    public func run(reference: ExactResult? = nil, recording: TraceRecording = .final) -> SolverResult {
        var trace = Trace()
        var change = Double.nan
        while iteration < maxIterations {
            if recording == .everyIteration { trace.points.append(tracePoint(maxChange: change, reference: reference)) }
            change = step()
            if change < tolerance { break }
        }
        let last = tracePoint(maxChange: change, reference: reference)
        trace.points.append(last)
        return SolverResult(algorithm: name, logZ: last.logZEstimate, marginals: marginals, labels: labels,
                            energy: last.roundedEnergy, iterations: iteration, trace: trace)
    }
}
