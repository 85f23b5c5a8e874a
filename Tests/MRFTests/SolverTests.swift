@testable import MRF
import RealModule
import Simplex
import Testing

/// Mean-field, PMF, ICM/PICM and BP against exact answers and their defining properties.
@Suite struct SolverTests {
    func grid(seed: UInt, couplings: CouplingKind = .mixed, labels: Int = 3) -> CompiledGraph {
        CompiledGraph(ModelGenerator.pairwise(variables: 12, edges: Topology.grid(rows: 3, columns: 4), potential: .potts,
                                              labels: labels, coupling: 1, field: 1, couplings: couplings,
                                              random: RandomSource(seed: seed)))
    }

    @Test func meanFieldIsExactWithoutEdges() throws {
        let graph = CompiledGraph(randomModel(variables: 6, edges: 0, random: RandomSource(seed: 5)))
        let exact = try Enumeration().solve(graph)
        for order in RelaxationSettings.Order.allCases {
            var settings = RelaxationSettings(.mf)
            settings.order = order
            let result = RelaxationSolver(settings, objective: ExpectedEnergy(graph)).run()
            #expect(abs(result.logZ - exact.logZ) < 1e-12)
            #expect(maxDifference(result.marginals, exact.marginals) < 1e-12)
        }
    }

    @Test(arguments: RelaxationSettings.Order.allCases)
    func meanFieldBoundIsBelowLogZ(order: RelaxationSettings.Order) throws {
        for seed in 0 ..< 4 as Range<UInt> {
            let graph = grid(seed: seed)
            let exact = try JunctionTree().solve(graph)
            var settings = RelaxationSettings(.mf)
            settings.order = order
            settings.damping = order == .parallel ? 0.5 : 0
            let result = RelaxationSolver(settings, objective: ExpectedEnergy(graph)).run(reference: exact, recording: .everyIteration)
            #expect(result.trace.points.allSatisfy { $0.logZEstimate <= exact.logZ + 1e-12 })
            #expect(result.logZ > exact.logZ - 2)
        }
    }

    @Test func sequentialMeanFieldNeverLowersItsBound() {
        for seed in 0 ..< 6 as Range<UInt> {
            var settings = RelaxationSettings(.mf)
            settings.order = seed % 2 == 0 ? .fixed : .random
            settings.seed = Int(seed)
            let bounds = RelaxationSolver(settings, objective: ExpectedEnergy(grid(seed: seed, couplings: .spinglass)))
                .run(recording: .everyIteration).trace.points.map(\.logZEstimate)
            #expect(zip(bounds, bounds.dropFirst()).allSatisfy { $1 >= $0 - 1e-12 })
        }
    }

    @Test(arguments: [RelaxationSettings.Method.icm, .picm])
    func labellingEnergyNeverRises(method: RelaxationSettings.Method) {
        for seed in 0 ..< 6 as Range<UInt> {
            let energies = RelaxationSolver(RelaxationSettings(method), objective: ExpectedEnergy(grid(seed: seed, couplings: .spinglass)))
                .run(recording: .everyIteration).trace.points.map(\.roundedEnergy)
            #expect(energies.count >= 2)
            #expect(zip(energies, energies.dropFirst()).allSatisfy { $1 <= $0 + 1e-12 })
        }
    }

    /// Parallel mean-field is PMF's rule at η = β = 1 applied to a zero u (the proximal term removed).
    @Test func parallelMeanFieldIsProximalMeanFieldWithoutTheProximalTerm() {
        let graph = grid(seed: 7)
        let objective = ExpectedEnergy(graph)
        let u = interiorPoint(graph.cardinalities, random: RandomSource(seed: 8))
        let g = objective.gradient(at: u)
        func applied(_ rule: UpdateRule<Double>, to row: [Double], gradient: [Double]) -> [Double] {
            var row = row
            row.withUnsafeMutableBufferPointer { r in gradient.withUnsafeBufferPointer { rule.apply(r, gradient: $0, columns: r.count) } }
            return row
        }
        var viaMeanField: [Double] = [], viaPMF: [Double] = []
        for i in 0 ..< graph.variableCount {
            let range = graph.offsets[i] ..< graph.offsets[i + 1]
            viaMeanField += applied(.meanField, to: Array(u[range]), gradient: Array(g[range]))
            viaPMF += applied(.proximalMeanField(eta: 1, beta: 1), to: [Double](repeating: 0, count: range.count), gradient: Array(g[range]))
        }
        #expect(zip(viaMeanField, viaPMF).allSatisfy { abs($0 - $1) < 1e-15 })
        // And the solver's parallel mean-field step is exactly that point.
        var settings = RelaxationSettings(.mf)
        settings.order = .parallel
        let solver = RelaxationSolver(settings, objective: objective)
        solver.step()
        let uniform = graph.cardinalities.flatMap { d in [Double](repeating: 1 / Double(d), count: d) }
        let expected = objective.gradient(at: uniform)
        for i in 0 ..< graph.variableCount {
            let range = graph.offsets[i] ..< graph.offsets[i + 1]
            let e = range.map { Double.exp(-expected[$0]) }, total = e.reduce(0, +)
            #expect(zip(solver.u[range], e).allSatisfy { abs($0 - $1 / total) < 1e-14 })
        }
    }

    @Test func proximalMeanFieldSettlesNearALabelling() throws {
        let graph = grid(seed: 9, couplings: .attractive)
        let result = try Algorithm(parsing: "pmf[eta=0.5,rho=1.2,every=5,maxiter=150]").run(on: graph)
        #expect(result.marginals.allSatisfy { ($0.max() ?? 0) > 0.99 })
        #expect(result.energy >= (try JunctionTree().solve(graph)).mapEnergy)
    }

    /// Recording only the final trace point changes no result: the same log Z, energy, marginals,
    /// labelling and iterations, and that point is the last of the per-iteration trace, which in turn
    /// is the starting point and one point after each step, taken by hand.
    @Test func finalOnlyTraceGivesTheSameResult() throws {
        let graph = grid(seed: 4)
        let exact = try JunctionTree().solve(graph)
        for algorithm in Algorithm.all {
            if case .exact = algorithm { continue }
            for reference in [nil, exact] {
                let final = try algorithm.run(on: graph, reference: reference)
                let every = try algorithm.run(on: graph, reference: reference, recording: .everyIteration)
                #expect(final.logZ == every.logZ && final.energy == every.energy, "\(algorithm)")
                #expect(final.marginals == every.marginals && final.labels == every.labels, "\(algorithm)")
                #expect(final.iterations == every.iterations && every.iterations > 0, "\(algorithm)")
                #expect(final.trace.points == [every.trace.points.last!], "\(algorithm)")
                #expect(every.trace.points.map(\.iteration) == Array(0 ... every.iterations), "\(algorithm)")
            }
        }
        var settings = BPSettings()
        settings.maxIterations = 7
        settings.tolerance = 0
        let bp = try BeliefPropagation(settings, graph: graph)
        var byHand = [bp.tracePoint(maxChange: .nan, reference: exact)]
        for _ in 0 ..< 7 { byHand.append(bp.tracePoint(maxChange: bp.step(), reference: exact)) }
        let every = try BeliefPropagation(settings, graph: graph).run(reference: exact, recording: .everyIteration)
        #expect(Array(every.trace.points.dropFirst()) == Array(byHand.dropFirst()))  // the first has maxChange NaN ≠ NaN
        #expect(every.trace.points[0].logZEstimate == byHand[0].logZEstimate && every.trace.points[0].maxChange.isNaN)
        let zero = try Algorithm(parsing: "mf[maxiter=0]").run(on: graph)
        #expect(zero.iterations == 0 && zero.trace.points.count == 1 && zero.trace.points[0].maxChange.isNaN)
    }

    @Test(arguments: ["chain", "tree"])
    func beliefPropagationIsExactOnTrees(kind: String) throws {
        let random = RandomSource(seed: 11)
        let n = 40
        let edges = kind == "chain" ? Topology.chain(n) : Topology.tree(n, random: random)
        let graph = CompiledGraph(ModelGenerator.pairwise(variables: n, edges: edges, potential: .potts, labels: 3, coupling: 1.5,
                                                          field: 1, couplings: .mixed, random: random))
        let exact = try JunctionTree().solve(graph)
        for schedule in BPSettings.Schedule.allCases {
            var settings = BPSettings()
            settings.schedule = schedule
            let sum = try BeliefPropagation(settings, graph: graph).run()
            #expect(maxDifference(sum.marginals, exact.marginals) < 1e-8)
            #expect(abs(sum.logZ - exact.logZ) < 1e-8)
            settings.inference = .max
            let max = try BeliefPropagation(settings, graph: graph).run()
            #expect(abs(max.energy - exact.mapEnergy) < 1e-9)
        }
    }

    @Test func beliefPropagationHandlesHardZerosAndRefusesHigherOrder() throws {
        let random = RandomSource(seed: 12)
        var graph = randomModel(variables: 8, edges: 0, zeros: true, random: random)
        let chain = (1 ..< 8).map { i in
            Factor(unchecked: [i - 1, i], cardinalities: [graph.cardinalities[i - 1], graph.cardinalities[i]],
                   energies: (0 ..< graph.cardinalities[i - 1] * graph.cardinalities[i]).map { $0 % 3 == 2 ? .infinity : random.uniform(-1, 1) })
        }
        graph = FactorGraph(unchecked: graph.cardinalities, factors: graph.factors + chain)
        let compiled = CompiledGraph(graph)
        let exact = try Enumeration().solve(compiled)
        let bp = try BeliefPropagation(BPSettings(), graph: compiled).run()
        #expect(maxDifference(bp.marginals, exact.marginals) < 1e-9)
        #expect(abs(bp.logZ - exact.logZ) < 1e-9)
        let triple = CompiledGraph(randomModel(variables: 4, edges: 2, triples: 1, random: random))
        #expect(throws: MRFError.self) { try BeliefPropagation(BPSettings(), graph: triple) }
    }
}
