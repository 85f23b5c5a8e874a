import Foundation
import RealModule

/// The reference answers beside a model file in the UAI 2014 convention, checked against the model:
/// `MODEL.PR` (log₁₀ Z), `MODEL.MAR` (every variable's marginal) and `MODEL.MPE` (a most probable
/// labelling), MODEL being the model file's name (`grid.uai.MAR`, `net.fg.PR`). Each file is
/// optional; an answer that is absent is `nil` and the metrics that need it are unavailable. The
/// files are read with `UAIOutput`'s parsers, so what `pmf mrf solve --uai-output` writes is read
/// back as is. With evidence (`MODEL.evid`) the answers are those of the conditioned model: Z is the
/// evidence-restricted sum, the marginals are P(x_i | e).
public struct UAIAnswers: Sendable {
    /// The reference log Z in natural log: ln 10 × the `PR` file's log₁₀ Z (−∞ when Z = 0).
    public var logZ: Double?
    /// The reference marginals, one row per variable of the model (observed variables included).
    public var marginals: [[Double]]?
    /// The reference labelling of every variable.
    public var mpe: [Int]?

    /// Answers given directly (tests, or answers computed elsewhere).
    public init(logZ: Double? = nil, marginals: [[Double]]? = nil, mpe: [Int]? = nil) {
        self.logZ = logZ
        self.marginals = marginals
        self.mpe = mpe
    }

    /// Whether no answer is given.
    public var isEmpty: Bool { logZ == nil && marginals == nil && mpe == nil }

    /// The path of the answer file for `task` beside the model at `modelPath`: `modelPath.TASK`.
    public static func path(of task: UAIOutput.Task, model modelPath: String) -> String {
        "\(modelPath).\(task.rawValue)"
    }

    /// Reads whichever of `MODEL.PR`, `MODEL.MAR` and `MODEL.MPE` exist beside `modelPath` and checks
    /// them against `graph` and `evidence` (see `checked(against:evidence:files:)`).
    /// - Throws: `MRFError` naming the file, the field and the value when a file does not parse or
    ///   does not fit the model; `.io` when a file exists but cannot be read.
    public static func read(model modelPath: String, graph: FactorGraph, evidence: Evidence) throws(MRFError) -> UAIAnswers {
        func text(_ task: UAIOutput.Task) throws(MRFError) -> (text: String, file: String)? {
            let file = path(of: task, model: modelPath)
            guard FileManager.default.fileExists(atPath: file) else { return nil }
            guard let data = FileManager.default.contents(atPath: file) else {
                throw .io("cannot read the answer file \(file); check that it is readable")
            }
            return (String(decoding: data, as: UTF8.self), file)
        }
        var answers = UAIAnswers()
        var files: [UAIOutput.Task: String] = [:]
        if let (pr, file) = try text(.pr) {
            answers.logZ = try UAIOutput.parsePR(pr, file: file) * Double.log(10)
            files[.pr] = file
        }
        if let (mar, file) = try text(.mar) {
            answers.marginals = try UAIOutput.parseMAR(mar, file: file)
            files[.mar] = file
        }
        if let (mpe, file) = try text(.mpe) {
            answers.mpe = try UAIOutput.parseMPE(mpe, file: file)
            files[.mpe] = file
        }
        return try answers.checked(against: graph, evidence: evidence, files: files)
    }

    /// The answers after checking that they fit `graph`:
    /// - `MAR`: one row per variable, each as long as the variable's cardinality, each summing to 1
    ///   within d·`UAIFormat.bayesTolerance` (files print probabilities to about six digits);
    /// - `MPE`: one label per variable, each in range, agreeing with `evidence` on the observed
    ///   variables, and of finite energy (a labelling of probability zero is no reference).
    ///
    /// `files` names the file each answer came from, for the messages (the task name otherwise).
    /// - Throws: `.invalidModel` with a one-line message naming the file, the field and the value.
    public func checked(against graph: FactorGraph, evidence: Evidence, files: [UAIOutput.Task: String] = [:]) throws(MRFError) -> UAIAnswers {
        let n = graph.variableCount
        if let marginals {
            let file = files[.mar] ?? "MAR"
            guard marginals.count == n else {
                throw .invalidModel("\(file): the number of variables is \(marginals.count) but the model has \(n); write the marginals of every variable, observed ones included")
            }
            for (i, row) in marginals.enumerated() {
                let d = graph.cardinalities[i]
                guard row.count == d else {
                    throw .invalidModel("\(file): variable \(i) has cardinality \(row.count) but \(d) in the model; write one probability per label")
                }
                let sum = row.reduce(0, +)
                guard abs(sum - 1) <= Double(d) * UAIFormat.bayesTolerance else {
                    throw .invalidModel("\(file): the marginal of variable \(i) sums to \(sum), not 1; write a normalised distribution per variable")
                }
            }
        }
        if let mpe {
            let file = files[.mpe] ?? "MPE"
            guard mpe.count == n else {
                throw .invalidModel("\(file): the number of variables is \(mpe.count) but the model has \(n); write a label for every variable")
            }
            for (i, label) in mpe.enumerated() where label >= graph.cardinalities[i] {
                throw .invalidModel("\(file): the label of variable \(i) is \(label) but it has \(graph.cardinalities[i]) labels (0 … \(graph.cardinalities[i] - 1))")
            }
            for (v, a) in evidence.observations where v < n && mpe[v] != a {
                throw .invalidModel("\(file): the label of variable \(v) is \(mpe[v]) but the evidence \(evidence.source) observes \(a); the MPE must agree with the evidence")
            }
            guard graph.energy(of: mpe).isFinite else {
                throw .invalidModel("\(file): the labelling has probability zero (it violates a hard constraint of the model); it cannot be a reference MPE")
            }
        }
        return self
    }
}
