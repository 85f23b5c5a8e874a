import Support

/// A model file read, conditioned on evidence and compiled: what `pmf mrf solve` and
/// `pmf mrf compare` (`Evaluation.compare`) start from, and what `pmf bench mrf` times as the user's path.
public struct LoadedModel: Sendable {
    /// The model file's path.
    public let file: String
    /// The model and the evidence; solvers run on its `reduced` graph.
    public let conditioned: ConditionedGraph
    /// `conditioned.reduced`, compiled.
    public let compiled: CompiledGraph

    /// Reads the model at `path` (`ModelFile.read`) and conditions it on `evidence`, a UAI `.evid`
    /// file or a list like `3=1,7=0` (`Evidence.read`); nil is no evidence.
    /// - Throws: `MRFError` naming the file, the field and the value.
    public init(file path: String, evidence: String? = nil) throws(MRFError) {
        let graph = try ModelFile.read(path)
        let evidence = try evidence.map { text throws(MRFError) in try Evidence.read(text) } ?? .none
        file = path
        conditioned = try ConditionedGraph(graph, evidence: evidence)
        compiled = CompiledGraph(conditioned.reduced)
    }

    /// Errors that end a run even with other algorithms left: the evidence (or the model) has probability zero.
    public func isFatal(_ error: MRFError) -> Bool { error == .zeroPartition || error == conditioned.contradiction }

    /// `model FILE: n variables, e edges, f larger factors` (of the original model), plus the evidence.
    public var summary: String {
        let original = conditioned.original
        let (edges, larger): (Int, Int) = conditioned.evidence.isEmpty ? (compiled.edgeCount, compiled.higherOrder.count) : (
            Set(original.factors.filter { $0.scope.count == 2 }.map { [min($0.scope[0], $0.scope[1]), max($0.scope[0], $0.scope[1])] }).count,
            original.factors.filter { $0.scope.count >= 3 }.count)
        var text = "model \(file): \(original.variableCount) variables, \(edges) edges, \(larger) larger factors"
        let observed = conditioned.evidence.observations.count
        if observed > 0 { text += "; evidence \(conditioned.evidence.source): \(observed) observed, \(conditioned.freeVariables.count) free" }
        return text
    }

    /// Runs `algorithms` on the model, exact first (so that the others' traces can record their
    /// errors against it), each timed, and returns the results on the original model in the given
    /// order. With several algorithms, one that fails (exact beyond its memory limit, BP on a
    /// factor of three variables) is reported as skipped and the others still run.
    /// - Throws: the failure of a single algorithm, and evidence or a model of probability zero.
    public func solve(_ algorithms: [Algorithm], recording: TraceRecording = .final) throws(MRFError) -> SolveOutcome {
        var outcome = SolveOutcome(observed: conditioned.evidence.observations.count)
        var slots = [(result: SolverResult, seconds: Double)?](repeating: nil, count: algorithms.count)
        var reference: ExactResult?
        let clock = ContinuousClock()
        func attempt(_ k: Int, _ body: () throws(MRFError) -> SolverResult) throws(MRFError) {
            let start = clock.now
            do {
                let result = try body(), elapsed = (clock.now - start).inSeconds
                slots[k] = (conditioned.expand(result), elapsed)
            } catch {
                let explained = conditioned.explain(error)
                if algorithms.count == 1 || isFatal(explained) { throw explained }
                outcome.skipped.append(.init(algorithm: algorithms[k].description, reason: explained.description,
                                             seconds: (clock.now - start).inSeconds))
            }
        }
        let firstExact = algorithms.firstIndex { if case .exact = $0 { true } else { false } }
        if let k = firstExact, case .exact(let settings) = algorithms[k] {
            try attempt(k) { () throws(MRFError) in
                let exact = try settings.solve(compiled)
                reference = exact
                return SolverResult(exact: exact, algorithm: algorithms[k].description)
            }
        }
        for (k, algorithm) in algorithms.enumerated() where k != firstExact {
            try attempt(k) { () throws(MRFError) in try algorithm.run(on: compiled, reference: reference, recording: recording) }
        }
        outcome.runs = slots.compactMap { $0 }
        return outcome
    }
}

/// What `LoadedModel.solve` returns: the algorithms that ran, with their results (on the original
/// model) and seconds, in the order asked, and those skipped with the reason.
public struct SolveOutcome: Sendable {
    /// An algorithm that could not run on the model.
    public struct Skipped: Sendable {
        /// Its spec text.
        public let algorithm: String
        /// The error, one line.
        public let reason: String
        /// Seconds until it failed.
        public let seconds: Double
    }

    /// The results with their seconds.
    public var runs: [(result: SolverResult, seconds: Double)] = []
    /// The algorithms skipped.
    public var skipped: [Skipped] = []
    /// The number of observed variables.
    public let observed: Int

    init(observed: Int) { self.observed = observed }

    /// The `pmf mrf solve --json` text (one line, no newline):
    /// `{"observed": N, "results": [{"algo", "energy", "iterations", "logZ", "map", "marginals", "seconds"}],
    /// "skipped": [{"algo", "reason", "seconds"}]}`, keys sorted; a non-finite log Z or energy is left out.
    public var json: [UInt8] {
        func finite(_ x: Double) -> ((inout JSONWriter) -> Void)? { x.isFinite ? { $0.number(x) } : nil }
        var writer = JSONWriter()
        writer.object([
            ("observed", { $0.integer(observed) }),
            ("results", { $0.array(runs) { writer, run in
                let r = run.result
                writer.object([
                    ("algo", { $0.string(r.algorithm) }), ("energy", finite(r.energy)), ("iterations", { $0.integer(r.iterations) }),
                    ("logZ", finite(r.logZ)), ("map", { $0.array(r.labels) { $0.integer($1) } }),
                    ("marginals", { $0.array(r.marginals) { $0.array($1) { $0.number($1) } } }), ("seconds", { $0.number(run.seconds) }),
                ])
            } }),
            ("skipped", { $0.array(skipped) { writer, s in
                writer.object([("algo", { $0.string(s.algorithm) }), ("reason", { $0.string(s.reason) }), ("seconds", { $0.number(s.seconds) })])
            } }),
        ])
        return writer.bytes
    }
}
