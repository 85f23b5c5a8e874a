import ArgumentParser
import MRF
import Simplex

/// `pmf mrf generate KIND`: a seeded random model written as UAI or libDAI .fg.
struct MrfGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a seeded random model: ising/potts grids, chain, tree, complete, erdos-renyi, quadratic.",
        discussion: """
        ising and potts are rows×cols grids; chain, tree, complete and erdos-renyi take --variables and \
        --potential. Couplings: attractive (all J), mixed (uniform on [−J, J]) or spinglass (±J). \
        quadratic writes E(w) = wᵀAw + bᵀw over --levels (A symmetric N(0, J²/m), b N(0, h²)).
        Example: pmf mrf generate potts --rows 16 --cols 16 --labels 4 --coupling 0.5 --seed 1 -o potts.uai
        """)

    enum Kind: String, ExpressibleByArgument, CaseIterable { case ising, potts, chain, tree, complete, erdosRenyi = "erdos-renyi", quadratic }

    @Argument(help: "ising, potts, chain, tree, complete, erdos-renyi or quadratic.") var kind: Kind
    @Option(help: "Grid rows (ising, potts).") var rows = 10
    @Option(help: "Grid columns (ising, potts).") var cols = 10
    @Option(help: "Number of variables (chain, tree, complete, erdos-renyi, quadratic).") var variables = 20
    @Option(help: "Labels per variable (Potts models; Ising has 2).") var labels = 2
    @Option(help: "Pairwise energy of chain/tree/complete/erdos-renyi: ising or potts.") var potential = "potts"
    @Option(help: "attractive, mixed or spinglass.") var couplings = "mixed"
    @Option(help: "Coupling strength J.") var coupling = 1.0
    @Option(help: "Unary strength h (Ising fields U(−h,h); Potts unaries U(0,h)).") var field = 1.0
    @Option(help: "Edge probability of erdos-renyi.") var p = 0.2
    @Option(help: "Levels of quadratic: binary, ternary, kN or a list like -1,0,1.") var levels = "binary"
    @Option(help: "Random seed.") var seed: UInt
    @Option(name: .shortAndLong, help: "Output file, .uai or .fg.") var output: String
    @Flag(help: "Print one JSON object {\"file\", \"variables\", \"factors\", \"edges\"}.") var json = false

    func run() throws {
        guard let couplingKind = CouplingKind(rawValue: couplings) else {
            throw CommandError("--couplings \(couplings) is unknown; use attractive, mixed or spinglass")
        }
        guard let potentialKind = PotentialKind(rawValue: potential) else {
            throw CommandError("--potential \(potential) is unknown; use ising or potts")
        }
        guard rows >= 1, cols >= 1, variables >= 1, labels >= 2, (0 ... 1).contains(p), coupling.isFinite, field.isFinite else {
            throw CommandError("sizes must be ≥ 1, --labels ≥ 2, --p in [0, 1] and --coupling/--field finite")
        }
        let random = RandomSource(seed: seed)
        let graph: FactorGraph
        func pairwise(_ n: Int, _ edges: [(Int, Int)], _ potential: PotentialKind) throws -> FactorGraph {
            guard potential == .potts || labels == 2 else { throw CommandError("Ising models have 2 labels; drop --labels or use potts") }
            return ModelGenerator.pairwise(variables: n, edges: edges, potential: potential, labels: labels, coupling: coupling,
                                           field: field, couplings: couplingKind, random: random)
        }
        switch kind {
        case .ising: graph = try pairwise(rows * cols, Topology.grid(rows: rows, columns: cols), .ising)
        case .potts: graph = try pairwise(rows * cols, Topology.grid(rows: rows, columns: cols), .potts)
        case .chain: graph = try pairwise(variables, Topology.chain(variables), potentialKind)
        case .tree: graph = try pairwise(variables, Topology.tree(variables, random: random), potentialKind)
        case .complete: graph = try pairwise(variables, Topology.complete(variables), potentialKind)
        case .erdosRenyi: graph = try pairwise(variables, Topology.erdosRenyi(variables, p: p, random: random), potentialKind)
        case .quadratic:
            graph = ModelGenerator.quadratic(size: variables, levels: try QuantizationLevels(name: levels), coupling: coupling,
                                             field: field, random: random).factorGraph
        }
        try ModelFile.write(graph, to: output)
        let edges = CompiledGraph(graph).edgeCount
        if json {
            struct Output: Encodable { let file: String; let variables, factors, edges: Int }
            try printJSON(Output(file: output, variables: graph.variableCount, factors: graph.factors.count, edges: edges))
        } else {
            print("wrote \(output): \(graph.variableCount) variables, \(graph.factors.count) factors, \(edges) edges")
        }
    }
}
