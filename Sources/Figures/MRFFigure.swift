import Gnuplot
import MRF
import Simplex

/// The MRF view of the paper: on explicit grid models, free energy E_u[E] − H(u), expected energy
/// E_u[E], the energy of the rounded labelling and the largest marginal error against exact inference
/// (junction tree), each vs iteration, for mean-field, PMF, softmax-PGD, sparsemax-PGD, PICM, ICM and BP.
/// A row of four panels per model.
public struct MRFFigure: Sendable {
    /// A generated model with its names.
    public struct Model: Sendable {
        /// Plain name; the data file is `mrf-NAME.dat`.
        public var name: String
        /// Title in panels.
        public var title: String
        /// The model.
        public var graph: FactorGraph

        /// Creates a model entry.
        public init(name: String, title: String, graph: FactorGraph) {
            self.name = name
            self.title = title
            self.graph = graph
        }
    }

    /// The compared methods: dataset name, key title, algorithm.
    public var methods: [(name: String, title: String, algorithm: Algorithm)]
    /// The models, one row each.
    public var models: [Model]
    /// Written into the data files.
    public var provenance: Provenance

    /// Creates the description.
    public init(methods: [(name: String, title: String, algorithm: Algorithm)] = MRFFigure.paperMethods,
                models: [Model] = MRFFigure.paperModels(), provenance: Provenance) {
        self.methods = methods
        self.models = models
        self.provenance = provenance
    }

    /// The seven methods at the MRF module's defaults.
    public static let paperMethods: [(name: String, title: String, algorithm: Algorithm)] = [
        ("mf", "MF", .relaxation(RelaxationSettings(.mf))),
        ("pmf", "PMF", .relaxation(RelaxationSettings(.pmf))),
        ("softmax-pgd", "softmax-PGD", .relaxation(RelaxationSettings(.softmaxPGD))),
        ("sparsemax-pgd", "sparsemax-PGD", .relaxation(RelaxationSettings(.sparsemaxPGD))),
        ("picm", "PICM", .relaxation(RelaxationSettings(.picm))),
        ("icm", "ICM", .relaxation(RelaxationSettings(.icm))),
        ("bp", "BP", .beliefPropagation(BPSettings())),
    ]

    /// A `side`×`side` Potts grid (3 labels, attractive coupling 1, unaries U(0, 2), seed 7) and a
    /// frustrated Ising grid (couplings U(−1.5, 1.5), fields U(−0.5, 0.5), seed 11); 8 columns wide
    /// keeps the junction tree (greedy min-fill order) well inside its clique limit.
    public static func paperModels(side: Int = 8) -> [Model] {
        let edges = Topology.grid(rows: side, columns: side)
        return [
            Model(name: "potts", title: "Potts \(side)×\(side), 3 labels",
                  graph: ModelGenerator.pairwise(variables: side * side, edges: edges, potential: .potts, labels: 3,
                                                 coupling: 1, field: 2, couplings: .attractive, random: RandomSource(seed: 7))),
            Model(name: "ising", title: "frustrated Ising \(side)×\(side)",
                  graph: ModelGenerator.pairwise(variables: side * side, edges: edges, potential: .ising, labels: 2,
                                                 coupling: 1.5, field: 0.5, couplings: .mixed, random: RandomSource(seed: 11))),
        ]
    }

    /// The columns of each model's data file.
    public static let columns = [DataColumn("iteration"), DataColumn("free_energy"), DataColumn("expected_energy"),
                                 DataColumn("rounded_energy"), DataColumn("max_marginal_error"), DataColumn("beta")]

    /// Runs exact inference and every method on every model: one data file per model with a dataset
    /// per method (its trace) and a dataset `exact` (−log Z and the MAP energy at the first and last
    /// iteration drawn, as reference lines). A marginal error ≤ 0 is written as missing (log axis).
    /// - Throws: `MRFError` when exact inference refuses a model (too wide).
    public func dataFiles() throws -> [DataFile] {
        try models.map { model in
            let compiled = CompiledGraph(model.graph)
            let exact = try ExactSettings().solve(compiled)
            var datasets: [NamedDataset] = []
            var lastIteration = 1
            for method in methods {
                let points = try method.algorithm.run(on: compiled, reference: exact, recording: .everyIteration).trace.points
                lastIteration = max(lastIteration, points.last?.iteration ?? 0)
                datasets.append(NamedDataset(name: method.name, rows: points.map {
                    [Double($0.iteration), $0.expectedEnergy - $0.entropy, $0.expectedEnergy, $0.roundedEnergy,
                     $0.marginalError.map { $0 > 0 ? $0 : .nan } ?? .nan, $0.beta]
                }))
            }
            datasets.append(NamedDataset(name: "exact", rows: [0, lastIteration].map {
                [Double($0), -exact.logZ, .nan, exact.mapEnergy, .nan, .nan]
            }))
            return DataFile(name: "mrf-\(model.name)", columns: Self.columns, provenance: provenance, datasets: datasets)
        }
    }

    /// Four panels per model: free energy (with −log Z), expected energy, rounded energy (with the
    /// MAP energy), max marginal error (log scale).
    public func figure() throws -> Figure {
        let panels = try zip(models, dataFiles()).flatMap { model, data -> [Panel] in
            func series(_ file: DataFile, _ y: String, exact: String?) -> [Series] {
                methods.filter { file.datasetIndex(named: $0.name) != nil }.map {
                    Series(data: file, dataset: .name($0.name), x: "iteration", y: .name(y), style: .lines, title: $0.title)
                } + (exact.map { [Series(data: file, dataset: "exact", x: "iteration", y: .name(y), style: .lines, title: $0)] } ?? [])
            }
            let iteration = Axis(label: "iteration", lower: 0)
            return [
                Panel(title: "\(model.title): free energy E_u[E] − H(u)", x: iteration, y: Axis(label: "free energy"),
                      series: series(data, "free_energy", exact: "exact −log Z")),
                Panel(title: "\(model.title): expected energy E_u[E]", x: iteration, y: Axis(label: "expected energy"),
                      series: series(data, "expected_energy", exact: nil)),
                Panel(title: "\(model.title): energy of the rounded labelling", x: iteration, y: Axis(label: "energy"),
                      series: series(data, "rounded_energy", exact: "MAP energy")),
                Panel(title: "\(model.title): max marginal error vs exact", x: iteration,
                      y: Axis(label: "max |u − p|", scale: .logarithmic), series: series(data, "max_marginal_error", exact: nil)),
            ]
        }
        return Figure(name: "mrf", rows: models.count, columns: 4, panels: panels)
    }
}
