@testable import MRF
import RealModule
import Simplex
import Testing

/// The evidence-restricted sum and conditioned marginals by brute force over the original model:
/// (log Σ_{x ⊨ e} exp(−E(x)), P(x_i = a | e)); log Z is −∞ when the evidence has probability zero.
func restrictedByEnumeration(_ graph: FactorGraph, _ evidence: Evidence) -> (logZ: Double, marginals: [[Double]]) {
    let observed = evidence.labels(count: graph.variableCount)
    var labels = [Int](repeating: 0, count: graph.variableCount)
    var weights: [(labels: [Int], logWeight: Double)] = []
    repeat {
        if zip(labels, observed).allSatisfy({ $1 == nil || $0 == $1 }) { weights.append((labels, -graph.energy(of: labels))) }
    } while advance(&labels, cardinalities: graph.cardinalities)
    let logZ = logSumExp(weights.map(\.logWeight))
    var marginals = graph.cardinalities.map { [Double](repeating: 0, count: $0) }
    if logZ > -.infinity {
        for (x, w) in weights {
            for i in x.indices { marginals[i][x[i]] += Double.exp(w - logZ) }
        }
    }
    return (logZ, marginals)
}

/// Evidence: parsing both .evid forms and lists, conditioning against enumeration, clamped solvers,
/// contradictions and out-of-range values.
@Suite struct EvidenceTests {
    @Test(arguments: 0 ..< 10)
    func conditionedExactAgreesWithEnumeration(seed: Int) throws {
        let random = RandomSource(seed: UInt(500 + seed))
        let graph = randomModel(variables: 7, edges: 9, triples: seed % 3, zeros: true, random: random)
        // Observe 1–3 variables at random labels (some of these have probability zero).
        let chosen = random.permutation(graph.variableCount).prefix(1 + seed % 3)
        let evidence = try Evidence(chosen.map { ($0, random.integer(below: graph.cardinalities[$0])) })
        let truth = restrictedByEnumeration(graph, evidence)
        do {
            let conditioned = try ConditionedGraph(graph, evidence: evidence)
            #expect(conditioned.reduced.variableCount == graph.variableCount - evidence.observations.count)
            let compiled = CompiledGraph(conditioned.reduced)
            for solver in [ExactSettings(), { var s = ExactSettings(); s.method = .enumerate; return s }()] {
                let exact = try solver.solve(compiled)
                let expanded = conditioned.expand(exact)
                #expect(truth.logZ > -.infinity, "the evidence has probability zero but \(solver) found log Z = \(exact.logZ)")
                #expect(abs(expanded.logZ - truth.logZ) < 1e-10)
                #expect(maxDifference(expanded.marginals, truth.marginals) < 1e-10)
                for (v, a) in evidence.observations {
                    #expect(expanded.marginals[v][a] == 1 && expanded.map[v] == a)
                }
                #expect(abs(expanded.mapEnergy - graph.energy(of: expanded.map)) < 1e-10)
            }
        } catch {
            // Only contradictory evidence may fail, and it must say so.
            #expect(truth.logZ == -.infinity, "\(error)")
            #expect(error.description.contains("probability zero"), "\(error)")
        }
    }

    @Test func contradictionFoundOnlyByTheWholeModelIsAClearError() throws {
        // x0 = x1 = x2 as hard constraints; observing x0 = 0 and x2 = 1 leaves every factor some
        // allowed entry, but no labelling survives.
        let equal: [Double] = [0, .infinity, .infinity, 0]
        let graph = try FactorGraph(cardinalities: [2, 2, 2], factors: [
            Factor(scope: [0, 1], cardinalities: [2, 2], energies: equal), Factor(scope: [1, 2], cardinalities: [2, 2], energies: equal),
        ])
        let conditioned = try ConditionedGraph(graph, evidence: try Evidence.parseList("0=0,2=1"))
        for settings in [ExactSettings(), { var s = ExactSettings(); s.method = .enumerate; return s }()] {
            do {
                _ = try settings.solve(CompiledGraph(conditioned.reduced))
                Issue.record("contradictory evidence solved")
            } catch {
                let explained = conditioned.explain(error)
                #expect(explained == conditioned.contradiction)
                #expect(explained.description.contains("--evidence '0=0,2=1'") && explained.description.contains("probability zero"))
            }
        }
        // Observing both ends of one factor at a zero is refused while conditioning, naming the factor.
        do {
            _ = try ConditionedGraph(graph, evidence: try Evidence.parseList("0=0,1=1"))
            Issue.record("a zero factor was accepted")
        } catch {
            #expect(error.description.contains("factor 0") && error.description.contains("x0=0,x1=1"), "\(error)")
        }
    }

    @Test func everyVariableObserved() throws {
        let graph = randomModel(variables: 4, edges: 4, random: RandomSource(seed: 9))
        let labels = [0, 1, 0, 1]
        let conditioned = try ConditionedGraph(graph, evidence: try Evidence(labels.enumerated().map { ($0.offset, $0.element) }))
        let result = conditioned.expand(try ExactSettings().solve(CompiledGraph(conditioned.reduced)))
        #expect(abs(result.logZ + graph.energy(of: labels)) < 1e-12)
        #expect(result.map == labels && result.marginals.enumerated().allSatisfy { $0.element[labels[$0.offset]] == 1 })
    }

    /// BP on a tree stays exact after conditioning (a tree minus observed variables is a forest), and
    /// every solver's expanded result clamps the observed variables.
    @Test func solversClampObservedVariables() throws {
        let random = RandomSource(seed: 12)
        let graph = ModelGenerator.pairwise(variables: 12, edges: Topology.tree(12, random: random), potential: .potts, labels: 3,
                                            coupling: 1, field: 1, couplings: .mixed, random: random)
        let evidence = try Evidence.parseList("3=2, 7=0 ,10=1")
        let conditioned = try ConditionedGraph(graph, evidence: evidence)
        let compiled = CompiledGraph(conditioned.reduced)
        let exact = try ExactSettings().solve(compiled)
        let truth = restrictedByEnumeration(graph, evidence)
        #expect(abs(exact.logZ - truth.logZ) < 1e-10)
        for algorithm in Algorithm.all {
            let result = conditioned.expand(try algorithm.run(on: compiled, reference: exact))
            for (v, a) in evidence.observations {
                #expect(result.labels[v] == a && result.marginals[v] == (0 ..< 3).map { $0 == a ? 1 : 0 }, "\(algorithm)")
            }
            #expect(result.marginals.count == graph.variableCount)
            if case .beliefPropagation(let s) = algorithm, s.inference == .sum {
                #expect(maxDifference(result.marginals, truth.marginals) < 1e-8)
                #expect(abs(result.logZ - truth.logZ) < 1e-8)
            }
            if case .relaxation(let s) = algorithm, s.method == .mf {
                #expect(result.logZ <= truth.logZ + 1e-9)
            }
        }
    }

    @Test func uaiEvidenceFormsAndLists() throws {
        let new = try Evidence.parseUAI("2 1 0 2 1\n", file: "a.evid")
        #expect(new.observations.map(\.variable) == [1, 2] && new.observations.map(\.label) == [0, 1])
        // The older form: 2 samples, the first is used.
        let old = try Evidence.parseUAI("2\n2 1 0 2 1\n1 0 1\n", file: "b.evid")
        #expect(old == new)
        #expect(try Evidence.parseUAI("1\n2 1 0 2 1\n", file: "c.evid") == new)
        #expect(try Evidence.parseUAI("0\n", file: "d.evid").isEmpty)
        #expect(try Evidence.parseUAI("", file: "e.evid").isEmpty)
        #expect(try Evidence.parseList("1=0,2=1") == new)
        #expect(try Evidence.parseList("1=0 2=1") == new)
        #expect(try Evidence.parseUAI(new.uaiText, file: "f.evid") == new)
        #expect(Evidence.looksLikeList("3=1,7=0") && !Evidence.looksLikeList("run/grid.uai.evid") && !Evidence.looksLikeList("17"))
        // Multi-digit indices: the form is decided by the exact token count (7 = 1 + 2·3), not by the
        // file's length (an estimate of 8 tokens read this file as three samples and failed).
        let wide = try Evidence.parseUAI("3 0 1 27 0 63 1\n", file: "g.evid")
        #expect(wide.observations.map(\.variable) == [0, 27, 63] && wide.observations.map(\.label) == [1, 0, 1])
        #expect(try Evidence.parseUAI("# a comment\n1 105 2\n", file: "h.evid").observations.map(\.variable) == [105])
    }

    @Test(arguments: [
        ("3 1 0 2 1\n", "bad.evid:1: expected the variable index of observation 1"),
        ("1\n2 1 0 2\n", "bad.evid:2: expected the observed value of variable 2"),
        ("2 1 0 2 x\n", "bad.evid:1: expected the observed value of variable 2"),
        ("1\n2 1 0 -2 1\n", "bad.evid:2: expected the variable index of observation 2"),
        ("2 1 0 1 1\n", "bad.evid: pair 2 observes variable 1 = 1 but it was already observed = 0"),
    ])
    func malformedEvidenceFilesSayWhere(text: String, fragment: String) {
        do {
            _ = try Evidence.parseUAI(text, file: "bad.evid")
            Issue.record("\(text) parsed")
        } catch {
            #expect(error.description.hasPrefix(fragment), "\(error)")
        }
    }

    @Test(arguments: [
        ("0=2", "--evidence '0=2': observation 1 gives variable 0 the value 2 but it has 2 labels (0 … 1)"),
        ("1=0,5=0", "--evidence '1=0,5=0': observation 2 names variable 5 but the model has 3 variables (0 … 2)"),
        ("1=a", "--evidence '1=a': item 1 '1=a' is not variable=value"),
    ])
    func outOfRangeEvidenceNamesSourceFieldAndValue(list: String, message: String) throws {
        let graph = try FactorGraph(cardinalities: [2, 2, 2], factors: [])
        do {
            _ = try ConditionedGraph(graph, evidence: try Evidence.parseList(list))
            Issue.record("\(list) accepted")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error)")
            #expect(!error.description.contains("\n"))
        }
    }
}
