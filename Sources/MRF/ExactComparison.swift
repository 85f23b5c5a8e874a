import Support

/// Every algorithm against exact inference on one model, like libDAI's test driver (`pmf mrf
/// compare`): exact inference on the conditioned model gives the answers — log Z*, the marginals and
/// a MAP labelling — and `Evaluation` measures each algorithm against them (`AnswerErrors`: the max
/// and the mean over the free variables of max_a |b_i(a) − p_i(a)|, …). When exact inference cannot
/// run (the junction tree beyond its memory limit), the algorithms still run and their errors are
/// unavailable.
public struct ExactComparison: Sendable {
    /// One algorithm's outcome, in the order the algorithms were given.
    public enum Run: Sendable {
        /// It ran; its row of the report.
        case ran(EvaluationReport.Row)
        /// It could not run on the model.
        case failed(EvaluationReport.Failure)
    }

    /// Exact inference's answers on the original model, nil when it was skipped.
    public let exact: ExactResult?
    /// Seconds exact inference took (0 when skipped before starting).
    public let exactSeconds: Double
    /// Why exact inference was skipped (one line), nil when it ran.
    public let exactSkipped: String?
    /// The evaluation of the algorithms on the model against exact's answers (one instance).
    public let report: EvaluationReport

    /// The outcomes, one per algorithm in the order given.
    public var runs: [Run] {
        var rows = report.rows[...], failures = report.failures[...]
        return report.algorithms.map { name in
            if let row = rows.first, row.algorithm == name {
                rows.removeFirst()
                return .ran(row)
            }
            return .failed(failures.removeFirst())
        }
    }

    /// log Z − log Z*, signed (a lower bound such as mean-field's reads negative, TRW's upper bound
    /// positive); nil without exact answers. `row.errors.logZ` is its absolute value.
    public func logZDifference(_ row: EvaluationReport.Row) -> Double? { exact.map { row.logZ - $0.logZ } }
}

extension Evaluation {
    /// Runs exact inference (`exact`) on `model`, then every algorithm, measured against exact's answers.
    /// - Throws: exact inference's error when it shows the model or the evidence to have probability
    ///   zero (`LoadedModel.isFatal`); any other failure of exact inference is `exactSkipped`.
    public func compare(_ model: LoadedModel, exact settings: ExactSettings) throws(MRFError) -> ExactComparison {
        let conditioned = model.conditioned
        var exact: ExactResult?, seconds = 0.0, skipped: String?
        do {
            let (reduced, elapsed) = try timed { () throws(MRFError) in try settings.solve(model.compiled) }
            (exact, seconds) = (conditioned.expand(reduced), elapsed)
        } catch {
            let explained = conditioned.explain(error)
            if model.isFatal(explained) { throw explained }
            skipped = explained.description
        }
        let answers = exact.map { UAIAnswers(logZ: $0.logZ, marginals: $0.marginals, mpe: $0.map) } ?? UAIAnswers()
        let instance = BenchmarkInstance(name: model.file, path: model.file, conditioned: conditioned, answers: answers)
        var report = EvaluationReport(algorithms: algorithms.map(\.description))
        evaluate(instance, compiled: model.compiled, into: &report)
        return ExactComparison(exact: exact, exactSeconds: seconds, exactSkipped: skipped, report: report)
    }
}
