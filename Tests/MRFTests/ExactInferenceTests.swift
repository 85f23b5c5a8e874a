@testable import MRF
import RealModule
import Simplex
import Testing

/// The interaction graph's neighbour lists.
func adjacencyLists(_ graph: FactorGraph) -> [[Int32]] {
    var lists = [Set<Int32>](repeating: [], count: graph.variableCount)
    for factor in graph.factors { for a in factor.scope { for b in factor.scope where a != b { lists[a].insert(Int32(b)) } } }
    return lists.map { $0.sorted() }
}

/// Elimination against enumeration, and against an independent forward algorithm on long chains.
@Suite struct ExactInferenceTests {
    @Test(arguments: 0 ..< 12)
    func eliminationAgreesWithEnumeration(seed: Int) throws {
        let random = RandomSource(seed: UInt(100 + seed))
        let model = CompiledGraph(randomModel(variables: 5 + seed % 4, edges: 7, triples: seed % 3, zeros: seed % 2 == 0, random: random))
        let enumerated = try Enumeration().solve(model)
        let eliminated = try JunctionTree().solve(model)
        #expect(abs(enumerated.logZ - eliminated.logZ) < 1e-10)
        #expect(maxDifference(enumerated.marginals, eliminated.marginals) < 1e-10)
        #expect(abs(enumerated.mapEnergy - eliminated.mapEnergy) < 1e-10)
        #expect(eliminated.mapEnergy == model.energy(of: eliminated.map))
        for row in eliminated.marginals { #expect(abs(row.reduce(0, +) - 1) < 1e-12) }
        let greedy = try JunctionTree.eliminate(Adjacency(model.graph), model.cardinalities, order: nil, heuristic: .minweight,
                                                limit: .infinity).get()
        #expect(Set(greedy.order) == Set(0 ..< model.variableCount))
        let weighted = try JunctionTree(heuristic: .minweight).solve(model)
        #expect(abs(enumerated.logZ - weighted.logZ) < 1e-10 && maxDifference(enumerated.marginals, weighted.marginals) < 1e-10)
    }

    /// The compressed rows hold each variable's distinct neighbours, sorted, as a set-based construction does.
    @Test(arguments: 0 ..< 6)
    func adjacencyRowsMatchTheInteractionGraph(seed: Int) {
        let graph = randomModel(variables: 4 + 3 * seed, edges: 5 + 4 * seed, triples: seed % 3, random: RandomSource(seed: UInt(40 + seed)))
        let rows = Adjacency(graph)
        #expect(rows.count == graph.variableCount)
        let lists = (0 ..< rows.count).map { Array(rows.neighbours[rows.offsets[$0] ..< rows.offsets[$0 + 1]]) }
        #expect(lists == adjacencyLists(graph))
    }

    /// The greedy orders replayed on a set-based elimination graph: every step takes a vertex least by
    /// (fill-in or 0, log clique size, index) with the fill-in counted from scratch — a check of the
    /// incremental fill updates — and the plan's cliques are the replay's neighbourhoods.
    @Test(arguments: 0 ..< 8)
    func greedyOrdersPickTheLeastVertexEachStep(seed: Int) throws {
        let random = RandomSource(seed: UInt(60 + seed))
        let graph = seed < 6
            ? randomModel(variables: 8 + 4 * seed, edges: 12 + 9 * seed, triples: seed % 3, random: random)
            : ModelGenerator.pairwise(variables: 42, edges: Topology.grid(rows: 6, columns: 7), potential: .potts, labels: 2 + seed % 2,
                                      coupling: 1, field: 1, couplings: .mixed, random: random)
        let cards = graph.cardinalities
        for heuristic in JunctionTree.Heuristic.allCases {
            let plan = try JunctionTree.eliminate(Adjacency(graph), cards, order: nil, heuristic: heuristic, limit: .infinity).get()
            var neighbours = adjacencyLists(graph).map { Set($0.map(Int.init)) }
            var remaining = Set(0 ..< graph.variableCount)
            func key(_ u: Int) -> (Int, Double, Int) {
                let around = Array(neighbours[u])
                var missing = 0
                for i in around.indices { for j in around.indices where i < j && !neighbours[around[i]].contains(around[j]) { missing += 1 } }
                let weight = around.reduce(Double.log(Double(cards[u]))) { $0 + Double.log(Double(cards[$1])) }
                return (heuristic == .minfill ? missing : 0, weight, u)
            }
            for (k, v) in plan.order.enumerated() {
                let best = remaining.map(key).min { $0 < $1 }!
                let chosen = key(v)
                // Weights are sums of logs in another order: equal up to rounding.
                #expect(chosen.0 == best.0 && abs(chosen.1 - best.1) < 1e-9, "step \(k): \(chosen) vs \(best)")
                #expect(plan.cliques[k] == ([v] + neighbours[v]).sorted())
                for a in neighbours[v] {
                    neighbours[a].remove(v)
                    for b in neighbours[v] where a != b { neighbours[a].insert(b) }
                }
                neighbours[v] = []
                remaining.remove(v)
            }
        }
    }

    /// The greedy orders against a reference that replays them on sets, exactly: each step takes the
    /// vertex least by (fill-in counted from scratch or 0, weight, index), where the weight is kept
    /// with the library's floating-point operations — log|X_u| plus the neighbours' in index order,
    /// then per elimination + log|X_b| per new edge (u, b) and − log|X_v| for the eliminated v. With
    /// one cardinality for every variable the rounding does not depend on the order of a step's
    /// operations, so ties are broken as the library breaks them and order and cliques must agree
    /// to the last vertex (grids tie a lot: a wrong fill count or tie-break shows).
    @Test(arguments: 0 ..< 8)
    func greedyOrdersMatchASetBasedReplayExactly(seed: Int) throws {
        let random = RandomSource(seed: UInt(300 + seed))
        let n = seed < 4 ? 30 + 10 * seed : (4 + seed) * (5 + seed)
        let edges = seed < 4 ? Topology.erdosRenyi(n, p: 0.08 + 0.03 * Double(seed), random: random)
                             : Topology.grid(rows: 4 + seed, columns: 5 + seed)
        let labels = 2 + seed % 3
        let graph = ModelGenerator.pairwise(variables: n, edges: edges, potential: .potts, labels: labels,
                                            coupling: 1, field: 1, couplings: .mixed, random: random)
        let logCard = Double.log(Double(labels))
        for heuristic in JunctionTree.Heuristic.allCases {
            let plan = try JunctionTree.eliminate(Adjacency(graph), graph.cardinalities, order: nil, heuristic: heuristic,
                                                  limit: .infinity).get()
            var neighbours = adjacencyLists(graph).map { Set($0.map(Int.init)) }
            var weight = adjacencyLists(graph).map { $0.reduce(logCard) { w, _ in w + logCard } }
            var remaining = Set(0 ..< n), order: [Int] = [], cliques: [[Int]] = []
            func fill(_ u: Int) -> Int {
                let around = Array(neighbours[u])
                var missing = 0
                for i in around.indices { for j in around.indices where i < j && !neighbours[around[i]].contains(around[j]) { missing += 1 } }
                return missing
            }
            while let v = remaining.min(by: { a, b in
                let (fa, fb) = heuristic == .minfill ? (fill(a), fill(b)) : (0, 0)
                return (fa, weight[a], a) < (fb, weight[b], b)
            }) {
                order.append(v)
                cliques.append(([v] + neighbours[v]).sorted())
                let clique = neighbours[v]
                for a in clique {
                    neighbours[a].remove(v)
                    for b in clique where a != b && !neighbours[a].contains(b) {
                        neighbours[a].insert(b)
                        weight[a] += logCard
                    }
                }
                for a in clique { weight[a] -= logCard }
                neighbours[v] = []
                remaining.remove(v)
            }
            #expect(plan.order == order, "\(heuristic)")
            #expect(plan.cliques == cliques, "\(heuristic)")
        }
    }

    /// The ordering queue pops the vertex least by (key, tie, index) while keys and ties change in
    /// place, within a bucket and across buckets.
    @Test func orderingQueuePopsTheLeastAfterUpdates() {
        let random = RandomSource(seed: 77)
        var keys = (0 ..< 200).map { _ in random.integer(below: 20) }
        var ties = (0 ..< 200).map { _ in Double(random.integer(below: 3)) }
        var queue = BucketQueue(keys: keys, ties: ties)
        var waiting = Set(0 ..< 200)
        func least() -> Int? { waiting.min { (keys[$0], ties[$0], $0) < (keys[$1], ties[$1], $1) } }
        for step in 0 ..< 600 {
            if step % 3 == 0 {
                let v = queue.pop()
                #expect(v == least())
                if let v { waiting.remove(v) }
            }
            let v = random.integer(below: 200)
            if step % 2 == 0 { keys[v] = random.integer(below: 25) } else { ties[v] = Double(random.integer(below: 3)) }
            queue.update(v, key: keys[v], tie: ties[v])
        }
        var rest: [Int] = []
        while let v = queue.pop() { rest.append(v) }
        #expect(rest == waiting.sorted { (keys[$0], ties[$0], $0) < (keys[$1], ties[$1], $1) })
    }

    /// The runs (with merged dimensions) against Σ_t x_t·stride_t computed label by label: walking
    /// them visits every entry in order, `apply` gathers small[index(j)] and `reduce` sums into it.
    @Test func broadcastMatchesTheDefinition() {
        let random = RandomSource(seed: 78)
        for _ in 0 ..< 50 {
            let cards = (0 ..< 1 + random.integer(below: 5)).map { _ in 1 + random.integer(below: 3) }
            // Strides of a random sub-table (0 for absent variables), sometimes contiguous, sometimes not.
            var strides = [Int](repeating: 0, count: cards.count), step = 1
            for t in cards.indices.reversed() where random.uniform() < 0.6 { strides[t] = step; step *= cards[t] * (1 + random.integer(below: 2)) }
            var labels = [Int](repeating: 0, count: cards.count), expected: [Int] = []
            repeat { expected.append(zip(labels, strides).reduce(0) { $0 + $1.0 * $1.1 }) } while advance(&labels, cardinalities: cards)
            let alignment = Broadcast(cardinalities: cards, strides: strides)
            var walked: [Int] = []
            alignment.forEachRun { j, i in
                #expect(j == walked.count)
                for a in 0 ..< alignment.run { walked.append(i + a * alignment.step) }
            }
            #expect(walked == expected, "\(cards) \(strides)")
            let small = (0 ... (expected.max() ?? 0)).map { _ in random.uniform() }
            var table = [Double](repeating: 1, count: expected.count), sums = [Double](repeating: 0, count: small.count)
            alignment.apply(&table, small) { $0 * $1 }
            #expect(table == expected.map { small[$0] })
            alignment.reduce(table, into: &sums, +)
            var reference = [Double](repeating: 0, count: small.count)
            for (j, i) in expected.enumerated() { reference[i] += table[j] }
            #expect(sums == reference)
        }
    }

    @Test func longChainMatchesTheForwardAlgorithm() throws {
        let random = RandomSource(seed: 3)
        let n = 300
        let graph = ModelGenerator.pairwise(variables: n, edges: Topology.chain(n), potential: .potts, labels: 3,
                                            coupling: 0.8, field: 1, couplings: .mixed, random: random)
        let exact = try JunctionTree().solve(CompiledGraph(graph))
        // Forward algorithm: α_{t}(b) = Σ_a α_{t−1}(a) ψ_{t−1,t}(a,b) ψ_t(b), normalised with a running log scale.
        var alpha = graph.factors[0].energies.map { Double.exp(-$0) }
        var logScale = 0.0
        for t in 1 ..< n {
            let unary = graph.factors[t].energies, pair = graph.factors[n + t - 1].energies
            alpha = (0 ..< 3).map { b in (0 ..< 3).reduce(0) { $0 + alpha[$1] * Double.exp(-pair[$1 * 3 + b]) } * Double.exp(-unary[b]) }
            let total = alpha.reduce(0, +)
            logScale += Double.log(total)
            alpha = alpha.map { $0 / total }
        }
        #expect(abs(exact.logZ - logScale) < 1e-9 * abs(logScale))
        #expect(abs(exact.marginals[n - 1][1] - alpha[1]) < 1e-10)
    }

    @Test func narrowGridOfHundredsOfVariablesIsExactAndFast() throws {
        let random = RandomSource(seed: 4)
        let graph = ModelGenerator.pairwise(variables: 4 * 60, edges: Topology.grid(rows: 60, columns: 4), potential: .ising,
                                            labels: 2, coupling: 0.5, field: 0.5, couplings: .spinglass, random: random)
        let exact = try JunctionTree().solve(CompiledGraph(graph))
        #expect(exact.logZ.isFinite)
        #expect(exact.marginals.allSatisfy { abs($0.reduce(0, +) - 1) < 1e-12 })
        // A 3×5 corner of the same kind against enumeration.
        let small = CompiledGraph(ModelGenerator.pairwise(variables: 15, edges: Topology.grid(rows: 5, columns: 3), potential: .ising,
                                                          labels: 2, coupling: 0.5, field: 0.5, couplings: .spinglass, random: random))
        let (a, b) = (try JunctionTree().solve(small), try Enumeration().solve(small))
        #expect(abs(a.logZ - b.logZ) < 1e-10 && maxDifference(a.marginals, b.marginals) < 1e-10 && a.mapEnergy == b.mapEnergy)
    }

    @Test func refusesTooLargeModelsWithAClearMessage() {
        let graph = CompiledGraph(ModelGenerator.pairwise(variables: 30, edges: Topology.complete(30), potential: .ising, labels: 2,
                                                          coupling: 1, field: 1, couplings: .mixed, random: RandomSource(seed: 1)))
        #expect(throws: MRFError.self) { try Enumeration().solve(graph) }
        do {
            _ = try Enumeration().solve(graph)
        } catch {
            #expect(error.description.contains("1073741824 labellings") && error.description.contains("maxstates=1048576"), "\(error)")
        }
        do {
            _ = try JunctionTree(maxBytes: 1_048_576).solve(graph)
            Issue.record("elimination on K30 should refuse")
        } catch {
            // One line: the bytes needed (integer and human units), the limit, and the setting that overrides it.
            let text = error.description
            #expect(text.contains("maxbytes is 1048576 (1.0 MiB)") && text.contains("exact[maxbytes="), "\(text)")
            #expect(text.contains(" bytes (") && !text.contains(".0 joint") && !text.contains("\n"), "\(text)")
        }
    }

    /// The memory is computed from the order before any table exists: the plan's bytes follow the
    /// documented formula, solving succeeds with exactly that limit and is refused one byte below.
    @Test func memoryLimitIsExactAndCheckedBeforeAllocating() throws {
        let random = RandomSource(seed: 21)
        let graph = randomModel(variables: 9, edges: 14, triples: 2, random: random)
        let plan = try JunctionTree().plan(graph)
        let sizes = plan.cliques.map { $0.reduce(1.0) { $0 * Double(graph.cardinalities[$1]) } }
        let expected = 8 * (zip(sizes, plan.order).reduce(0.0) { $0 + $1.0 + 3 * $1.0 / Double(graph.cardinalities[$1.1]) } + 4 * sizes.max()!)
        #expect(plan.bytes == expected)
        #expect(plan.largestCliqueStates == sizes.max()!)
        #expect(Set(plan.order) == Set(0 ..< graph.variableCount))
        let compiled = CompiledGraph(graph)
        let reference = try Enumeration().solve(compiled)
        #expect(abs(try JunctionTree(maxBytes: plan.bytes).solve(compiled).logZ - reference.logZ) < 1e-10)
        #expect(throws: MRFError.self) { try JunctionTree(maxBytes: plan.bytes - 1).solve(compiled) }
        // A clique of 2⁶⁴ labels (K64) would crash if allocated; it is refused at once, by the default limit too.
        let dense = CompiledGraph(ModelGenerator.pairwise(variables: 64, edges: Topology.complete(64), potential: .ising, labels: 2,
                                                          coupling: 1, field: 1, couplings: .mixed, random: random))
        #expect(throws: MRFError.self) { try JunctionTree().solve(dense) }
        #expect(throws: MRFError.self) { try ExactSettings().solve(dense) }
    }

    /// When the index order and the greedy order both exceed the limit, the refusal quotes the smaller
    /// of their lower bounds (a bound for the better order), as an integer.
    @Test func refusalQuotesTheSmallerLowerBound() throws {
        let graph = ModelGenerator.pairwise(variables: 144, edges: Topology.grid(rows: 12, columns: 12), potential: .ising, labels: 2,
                                            coupling: 1, field: 1, couplings: .mixed, random: RandomSource(seed: 6))
        let limit = try JunctionTree().plan(graph).bytes / 3
        var quoted: [Double] = []
        for order in [Array(0 ..< 144), nil] {
            guard case .failure(let stop) = JunctionTree.eliminate(Adjacency(graph), graph.cardinalities, order: order,
                                                                   heuristic: .minfill, limit: limit) else {
                Issue.record("an order fitted in a third of the best plan's memory")
                return
            }
            quoted.append(stop.bytes)
        }
        do {
            _ = try JunctionTree(maxBytes: limit).plan(graph)
            Issue.record("planned beyond the limit")
        } catch {
            #expect(error.description.contains("needs at least \(Int(quoted.min()!)) bytes"), "\(error) \(quoted)")
        }
    }

    /// A 256×256 grid (treewidth 256) is refused by the memory limit quickly, not after ordering for minutes.
    @Test func wideGridIsRefusedQuickly() {
        let graph = ModelGenerator.pairwise(variables: 256 * 256, edges: Topology.grid(rows: 256, columns: 256), potential: .ising,
                                            labels: 2, coupling: 0.5, field: 0.5, couplings: .mixed, random: RandomSource(seed: 2))
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try JunctionTree().plan(graph)
            Issue.record("a 256×256 grid was planned")
        } catch {
            #expect(error.description.contains("maxbytes"), "\(error)")
        }
        // Generous for a debug build on a shared machine (about 13 s; the release build about 1 s, docs/mrf.md);
        // the earlier O(n²) min-fill was still ordering after 7 minutes.
        #expect(clock.now - start < .seconds(60))
    }

    @Test func impossibleModelIsAnError() {
        let graph = try! FactorGraph(cardinalities: [2], factors: [Factor(scope: [0], cardinalities: [2], energies: [.infinity, .infinity])])
        #expect(throws: MRFError.self) { try JunctionTree().solve(CompiledGraph(graph)) }
    }
}
