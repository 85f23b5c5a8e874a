import Foundation
import Support

/// Runs inference algorithms over a folder of models with reference answers beside them (the UAI
/// 2014 layout, see `BenchmarkInstance`) and measures each result against the answers
/// (`AnswerErrors`): the standard table for comparing relaxations on a benchmark set.
///
/// Each model is conditioned on its evidence once, then every algorithm runs on the reduced model
/// and its result is expanded back to every variable, as in `pmf mrf solve`. A model file with no
/// answer file beside it is left out with a note; one with some of the answers is evaluated and the
/// metrics of the missing ones are unavailable (`nil`). An algorithm that cannot run on a model is
/// recorded as a failure and the others still run.
public struct Evaluation: Sendable {
    /// The algorithms, each run on every instance in this order.
    public var algorithms: [Algorithm]

    /// An evaluation of `algorithms` (by default `Algorithm.evaluateDefaults`).
    public init(algorithms: [Algorithm] = Algorithm.evaluateDefaults) {
        self.algorithms = algorithms
    }

    /// Evaluates every model file of `folder` (`BenchmarkInstance.modelFiles`) that has at least one
    /// answer file beside it.
    /// - Throws: `MRFError` for a folder that cannot be listed and for any malformed model, evidence
    ///   or answer file (one line naming the file, the field and the value).
    public func run(folder: String) throws(MRFError) -> EvaluationReport {
        var report = EvaluationReport(algorithms: algorithms.map(\.description))
        for path in try BenchmarkInstance.modelFiles(in: folder) {
            let name = (path as NSString).lastPathComponent
            guard BenchmarkInstance.hasAnswers(model: path) else {
                report.notes.append("\(name): no answer file (\(name).PR, .MAR or .MPE) beside it; left out")
                continue
            }
            evaluate(try BenchmarkInstance(model: path), into: &report)
        }
        return report
    }

    /// Runs every algorithm on `instance` and appends its entry, rows and failures to `report`.
    public func evaluate(_ instance: BenchmarkInstance, into report: inout EvaluationReport) {
        evaluate(instance, compiled: CompiledGraph(instance.conditioned.reduced), into: &report)
    }

    /// `evaluate(_:into:)` with `instance.conditioned.reduced` already compiled.
    func evaluate(_ instance: BenchmarkInstance, compiled: CompiledGraph, into report: inout EvaluationReport) {
        let conditioned = instance.conditioned, graph = conditioned.original
        report.instances.append(EvaluationReport.Instance(
            name: instance.name, variables: graph.variableCount, observed: conditioned.evidence.observations.count,
            answers: [(UAIOutput.Task.pr, instance.answers.logZ != nil), (.mar, instance.answers.marginals != nil),
                      (.mpe, instance.answers.mpe != nil)].filter(\.1).map(\.0),
            logZ: instance.answers.logZ, mpeEnergy: instance.answers.mpe.map(graph.energy(of:))))
        let clock = ContinuousClock()
        for algorithm in algorithms {
            let start = clock.now
            let outcome = Result { () throws(MRFError) in try algorithm.run(on: compiled) }
            let seconds = (clock.now - start).inSeconds
            switch outcome {
            case .success(let reduced):
                let result = conditioned.expand(reduced)
                report.rows.append(EvaluationReport.Row(
                    instance: instance.name, algorithm: algorithm.description, logZ: result.logZ, energy: result.energy,
                    errors: AnswerErrors(result: result, answers: instance.answers, graph: graph, free: conditioned.freeVariables),
                    iterations: result.iterations, seconds: seconds))
            case .failure(let error):
                report.failures.append(EvaluationReport.Failure(
                    instance: instance.name, algorithm: algorithm.description, reason: conditioned.explain(error).description,
                    seconds: seconds))
            }
        }
    }
}
