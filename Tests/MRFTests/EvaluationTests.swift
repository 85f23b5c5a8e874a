import Foundation
@testable import MRF
import RealModule
import Simplex
import Testing

/// The answers of a model by visiting every labelling consistent with the evidence: the restricted
/// log Z, the conditional marginals and a least-energy labelling.
func answersByEnumeration(_ graph: FactorGraph, _ evidence: Evidence) -> UAIAnswers {
    let (logZ, marginals) = restrictedByEnumeration(graph, evidence)
    let observed = evidence.labels(count: graph.variableCount)
    var labels = [Int](repeating: 0, count: graph.variableCount), best = labels, least = Double.infinity
    repeat {
        let e = graph.energy(of: labels)
        if zip(labels, observed).allSatisfy({ $1 == nil || $0 == $1 }), e < least { (best, least) = (labels, e) }
    } while advance(&labels, cardinalities: graph.cardinalities)
    return UAIAnswers(logZ: logZ, marginals: marginals, mpe: best)
}

/// A benchmark folder: models with their answer files written as `pmf mrf solve --uai-output` writes them.
struct BenchmarkFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("mrf-evaluate-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    func write(_ text: String, to name: String) throws {
        try text.write(toFile: file(name), atomically: true, encoding: .utf8)
    }

    /// Writes the model (as `BAYES` when `bayes`), its evidence when there is some, and the answers
    /// by enumeration; returns the answers.
    @discardableResult
    func add(_ name: String, _ graph: FactorGraph, evidence: Evidence = .none, bayes: Bool = false) throws -> UAIAnswers {
        try write(bayes ? try UAIFormat.bayesText(of: graph) : UAIFormat.text(of: graph), to: name)
        if !evidence.isEmpty { try write(evidence.uaiText, to: "\(name).evid") }
        let answers = answersByEnumeration(graph, evidence)
        try write(UAIOutput.prText(logZ: answers.logZ!), to: "\(name).PR")
        try write(UAIOutput.marText(answers.marginals!), to: "\(name).MAR")
        try write(UAIOutput.mpeText(answers.mpe!), to: "\(name).MPE")
        return answers
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// `Evaluation` over folders of small models whose answers come from enumeration.
@Suite struct EvaluationTests {
    /// Three random pairwise models, one of them with evidence (observing the MAP's labels, so it has
    /// positive probability), and a Bayesian network written as `BAYES`.
    static func standardFolder() throws -> (folder: BenchmarkFolder, evidence: Evidence) {
        let folder = try BenchmarkFolder()
        for seed in 0 ..< 3 {
            let graph = randomModel(variables: 6, edges: 8, random: RandomSource(seed: UInt(900 + seed)))
            let evidence = seed == 1 ? try Evidence([(1, answersByEnumeration(graph, .none).mpe![1]), (4, 0)], source: "e") : .none
            try folder.add("pairwise\(seed).uai", graph, evidence: evidence)
        }
        try folder.add("network.uai", randomNetwork(seed: 71), bayes: true)
        return (folder, try Evidence.read(folder.file("pairwise1.uai.evid")))
    }

    @Test func exactInferenceHasNoErrorsAndEveryMAPGapIsNonNegative() throws {
        let (folder, evidence) = try Self.standardFolder()
        defer { folder.remove() }
        try folder.write(UAIFormat.text(of: randomModel(variables: 3, edges: 2, random: RandomSource(seed: 5))), to: "unanswered.uai")
        let report = try Evaluation(algorithms: try ["exact", "mf", "pmf", "icm", "bp"].map(Algorithm.init(parsing:))).run(folder: folder.path)
        #expect(report.instances.map(\.name) == ["network.uai", "pairwise0.uai", "pairwise1.uai", "pairwise2.uai"])
        #expect(report.instances.map(\.observed) == [0, 0, evidence.observations.count, 0])
        #expect(report.notes == ["unanswered.uai: no answer file (unanswered.uai.PR, .MAR or .MPE) beside it; left out"])
        // BP runs on pairwise models only; the network has CPTs of three variables.
        #expect(report.failures.map { "\($0.instance) \($0.algorithm)" } == ["network.uai bp"])
        #expect(report.rows.count == 4 * 5 - 1)
        for row in report.rows {
            let gap = try #require(row.errors.mapGap)
            #expect(gap >= -1e-9, "\(row.instance) \(row.algorithm): the reference is a MAP, yet the gap is \(gap)")
            guard row.algorithm == "exact" else { continue }
            for error in [row.errors.logZ, row.errors.meanMarginal, row.errors.maxMarginal, row.errors.hellinger, row.errors.mapGap] {
                #expect(try #require(error) < 1e-9, "\(row.instance): exact inference is off the enumerated answers by \(error!)")
            }
        }
        // The network's Z is 1.
        #expect(abs(report.instances[0].logZ!) < 1e-12)
    }

    /// Uniform marginals and a log Z 0.5 nats too high as the "answers" of the model with evidence:
    /// exact inference's errors are then the distances of the true marginals from uniform, over the
    /// free variables only (the observed ones, uniform in the file, are left out).
    @Test func wrongAnswersGiveTheErrorsComputedIndependently() throws {
        let (folder, evidence) = try Self.standardFolder()
        defer { folder.remove() }
        let graph = try ModelFile.read(folder.file("pairwise1.uai"))
        let truth = answersByEnumeration(graph, evidence)
        let uniform = graph.cardinalities.map { d in [Double](repeating: 1 / Double(d), count: d) }
        try folder.write(UAIOutput.marText(uniform), to: "pairwise1.uai.MAR")
        try folder.write(UAIOutput.prText(logZ: truth.logZ! + 0.5), to: "pairwise1.uai.PR")
        let report = try Evaluation(algorithms: [.exact(ExactSettings())]).run(folder: folder.path)
        let row = try #require(report.rows.first { $0.instance == "pairwise1.uai" })

        let observed = Set(evidence.observations.map(\.variable))
        var largest: [Double] = [], hellinger: [Double] = []
        for i in 0 ..< graph.variableCount where !observed.contains(i) {
            let p = truth.marginals![i], d = Double(p.count)
            largest.append(p.map { abs($0 - 1 / d) }.max()!)
            hellinger.append((1 - p.map { ($0 / d).squareRoot() }.reduce(0, +)).squareRoot())
        }
        #expect(largest.count == graph.variableCount - 2)
        #expect(abs(row.errors.logZ! - 0.5) < 1e-9)
        #expect(abs(row.errors.meanMarginal! - largest.reduce(0, +) / Double(largest.count)) < 1e-9)
        #expect(abs(row.errors.maxMarginal! - largest.max()!) < 1e-9)
        #expect(abs(row.errors.hellinger! - hellinger.reduce(0, +) / Double(hellinger.count)) < 1e-7)
        #expect(row.errors.meanMarginal! > 0.01, "the test needs marginals away from uniform")
    }

    @Test func hellingerMatchesClosedForms() {
        #expect(AnswerErrors.hellinger([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]) == 0)
        #expect(abs(AnswerErrors.hellinger([1, 0], [0, 1]) - 1) < 1e-15)
        // Σ √(pq) = √½, so H = √(1 − 1/√2).
        #expect(abs(AnswerErrors.hellinger([1, 0], [0.5, 0.5]) - (1 - 1 / Double.sqrt(2)).squareRoot()) < 1e-15)
        // Σ √(pq) = 2·√(3/16) = √3/2.
        #expect(abs(AnswerErrors.hellinger([0.25, 0.75], [0.75, 0.25]) - (1 - Double.sqrt(3) / 2).squareRoot()) < 1e-15)
    }

    /// A reference labelling that is not the MAP: exact inference's gap is then E(MAP) − E(reference) < 0.
    @Test func theMAPGapIsTheEnergyDifferenceFromTheReference() throws {
        let folder = try BenchmarkFolder()
        defer { folder.remove() }
        let graph = randomModel(variables: 5, edges: 6, random: RandomSource(seed: 33))
        let truth = try folder.add("m.uai", graph)
        var other = truth.mpe!
        other[0] = (other[0] + 1) % graph.cardinalities[0]
        try folder.write(UAIOutput.mpeText(other), to: "m.uai.MPE")
        let row = try #require(try Evaluation(algorithms: [.exact(ExactSettings())]).run(folder: folder.path).rows.first)
        let expected = graph.energy(of: truth.mpe!) - graph.energy(of: other)
        #expect(expected < 0)
        #expect(abs(row.errors.mapGap! - expected) < 1e-12)
    }

    /// A model with only a PR file is evaluated; the marginal and MAP columns are unavailable.
    @Test func missingAnswersLeaveTheirMetricsUnavailable() throws {
        let folder = try BenchmarkFolder()
        defer { folder.remove() }
        try folder.add("m.uai", randomModel(variables: 4, edges: 4, random: RandomSource(seed: 8)))
        for task in ["MAR", "MPE"] { try FileManager.default.removeItem(atPath: folder.file("m.uai.\(task)")) }
        let report = try Evaluation(algorithms: [.exact(ExactSettings())]).run(folder: folder.path)
        let row = try #require(report.rows.first)
        #expect(report.instances.first?.answers == [.pr])
        #expect(row.errors.logZ! < 1e-9)
        #expect(row.errors.meanMarginal == nil && row.errors.maxMarginal == nil && row.errors.hellinger == nil && row.errors.mapGap == nil)
    }

    /// A broken answer file is one line naming the file, the field and the value.
    @Test(arguments: [
        ("m.uai.MAR", "MAR\n4 2 0.5 x", "m.uai.MAR:2: expected P(x0 = 1), a number ≥ 0, found 'x'"),
        ("m.uai.MAR", "MAR\n3 2 0.5 0.5 2 0.5 0.5 2 0.5 0.5\n", "m.uai.MAR: the number of variables is 3 but the model has 4; write the marginals of every variable, observed ones included"),
        ("m.uai.MAR", "MAR\n4 2 0.5 0.5 2 0.5 0.4 2 0.5 0.5 2 0.5 0.5\n", "m.uai.MAR: the marginal of variable 1 sums to 0.9, not 1; write a normalised distribution per variable"),
        ("m.uai.MAR", "MAR\n4 2 0.5 0.5 3 0.2 0.3 0.5 2 0.5 0.5 2 0.5 0.5\n", "m.uai.MAR: variable 1 has cardinality 3 but 2 in the model; write one probability per label"),
        ("m.uai.MPE", "MPE\n4 0 2 0 0\n", "m.uai.MPE: the label of variable 1 is 2 but it has 2 labels (0 … 1)"),
        ("m.uai.MPE", "MPE\n4 0 0 0 0\n", "m.uai.MPE: the label of variable 2 is 0 but the evidence m.uai.evid observes 1; the MPE must agree with the evidence"),
        ("m.uai.MPE", "MPE\n4 0 1 1 0\n", "m.uai.MPE: the labelling has probability zero (it violates a hard constraint of the model); it cannot be a reference MPE"),
        ("m.uai.PR", "PR\nabc\n", "m.uai.PR:2: expected log10 Z (a number), found 'abc'"),
        ("m.uai.evid", "1 2 7\n", "m.uai.evid: observation 1 gives variable 2 the value 7 but it has 2 labels (0 … 1)"),
    ])
    func badAnswerFilesAreOneLineErrors(file: String, text: String, message: String) throws {
        let folder = try BenchmarkFolder()
        defer { folder.remove() }
        let graph = FactorGraph(unchecked: [2, 2, 2, 2], factors: [Factor(unchecked: [0, 1], cardinalities: [2, 2], energies: [0, .infinity, 1, 0])])
        try folder.add("m.uai", graph, evidence: try Evidence([(2, 1)]))
        try folder.write(text, to: file)
        do {
            _ = try Evaluation().run(folder: folder.path)
            Issue.record("\(file) was accepted")
        } catch {
            #expect(error.description == message.replacingOccurrences(of: "m.uai", with: folder.file("m.uai")))
        }
    }
}
