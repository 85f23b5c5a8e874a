import Gnuplot
import MRF
import Simplex

/// What each relaxation gives up, against coupling strength: on small Ising grids, log Z per
/// variable for exact inference (junction tree), naive mean-field (−E_u[E] + H(u) at its final u, a
/// lower bound for every fully factorised u by the Gibbs inequality), the Bethe approximation
/// −U + H_B at loopy BP's fixed point (neither bound in general) and tree-reweighted BP (an upper
/// bound at its fixed point), so MF ≤ log Z ≤ TRW wherever TRW converged; below, each estimate
/// minus the exact log Z, and each method's largest marginal error max_{i,a} |b_i(a) − P(x_i = a)|.
///
/// **One model per grid, scaled.** Every strength J regenerates the grid with the same seed. The
/// generator draws the fields first and then one coupling per edge (`mixed`: −J + 2J·r_e with r_e
/// uniform on [0, 1); `attractive`: J itself, no draw), so all J share the fields h_i and the
/// pattern r_e, and the couplings are J times the J = 1 couplings (up to one rounding): the
/// curves are smooth in J and J = 0 is the fields alone, where every method is exact.
///
/// **Convergence.** BP runs damped (`bp[damping=0.5,maxiter=1000,tol=1e-06]`): a run counts as
/// converged once no message moves by 10⁻⁶ in an iteration, and so does TRW (the free energies
/// are stationary at a fixed point, so log Z is then settled far below a line's width; at 10⁻⁹
/// TRW stops at 1000 iterations on the attractive grid from J = 1.5 on, still creeping). Where BP
/// stops at its iteration cap — on the frustrated grid at strong coupling its messages oscillate —
/// its Bethe value, error and marginals are not a fixed point's: they are left out of the lines
/// (missing values) and written to a second dataset `bp-unconverged`, drawn as bare markers in BP's
/// colour, and the product's notes name those J. TRW is treated the same way (its bound is a fixed point's), in
/// `trw-unconverged`. Mean-field's value is a bound at any u, converged or not; coordinate ascent
/// from the uniform point can end in a poorer local optimum (on the ferromagnet, the less likely of
/// the two magnetised states, or two domains with a wall of broken bonds between them), where its
/// curve drops.
public struct CouplingFigure: Sendable {
    /// A family of grids: how couplings are drawn from J, and the seed shared by every J.
    public struct Grid: Sendable {
        /// Plain name; the data file is `mrf-coupling-NAME.dat`.
        public var name: String
        /// Title in panels.
        public var title: String
        /// How each edge's coupling is drawn from J.
        public var couplings: CouplingKind
        /// The generator's seed, the same for every J.
        public var seed: UInt
        /// Where the key of the log Z error panel sits clear of the curves.
        public var errorKey: Panel.KeyPosition

        /// Creates a grid family.
        public init(name: String, title: String, couplings: CouplingKind, seed: UInt, errorKey: Panel.KeyPosition = .bottomLeft) {
            self.name = name
            self.title = title
            self.couplings = couplings
            self.seed = seed
            self.errorKey = errorKey
        }
    }

    /// The estimates at one J, log Z values divided by the number of variables.
    public struct Point: Equatable, Sendable {
        /// The coupling strength J.
        public var strength: Double
        /// Exact log Z / n (junction tree).
        public var exact: Double
        /// Mean-field's bound / n.
        public var meanField: Double
        /// The Bethe log Z / n at BP's last messages.
        public var bethe: Double
        /// TRW's free energy / n at its last messages.
        public var treeReweighted: Double
        /// max_{i,a} |b_i(a) − P(x_i = a)| of mean-field, BP and TRW.
        public var meanFieldMarginalError, betheMarginalError, treeReweightedMarginalError: Double
        /// Iterations BP and TRW ran.
        public var bpIterations, trwIterations: Int
        /// Whether BP and TRW reached a fixed point (largest message change below `tol`).
        public var bpConverged, trwConverged: Bool
    }

    /// The grids, one column of panels each.
    public var grids: [Grid]
    /// Grid side: side × side variables.
    public let side: Int
    /// Ising fields h_i ~ U(−field, field), the same at every J.
    public var field: Double
    /// The strengths J on the x axis.
    public var strengths: [Double]
    /// Mean-field's settings.
    public var meanField: RelaxationSettings
    /// BP's settings (sum-product).
    public var beliefPropagation: BPSettings
    /// TRW's settings: one ρ = (n − 1)/|E| on every edge, the grid's uniform point of the
    /// spanning-tree polytope. It is tighter here than `rho=auto`'s 20 random trees and converges
    /// faster: on the attractive 8×8 grid at J = 1.2, log Z/n 2.1264 after 143 iterations to
    /// tol=1e-5, against 2.1315 after 1019 for `auto`.
    public var treeReweighted: TRWSettings
    /// Written into the data files.
    public var provenance: Provenance

    /// Creates the description; the defaults are the catalogue's `mrf-coupling`.
    /// - Precondition: side ≥ 2 (a grid with edges).
    public init(grids: [Grid] = CouplingFigure.paperGrids, side: Int = 8, field: Double = 0.1,
                strengths: [Double] = (0 ... 20).map { Double($0) / 10 }, provenance: Provenance) {
        precondition(side >= 2, "a coupling sweep needs a grid with edges, side ≥ 2")
        self.grids = grids
        self.side = side
        self.field = field
        self.strengths = strengths
        self.provenance = provenance
        meanField = RelaxationSettings(.mf)
        beliefPropagation = BPSettings()
        beliefPropagation.damping = 0.5
        beliefPropagation.maxIterations = 1000
        beliefPropagation.tolerance = 1e-6
        treeReweighted = TRWSettings()
        treeReweighted.tolerance = 1e-6
        treeReweighted.rho = Double(side * side - 1) / Double(2 * side * (side - 1))
    }

    /// A ferromagnet (every coupling J, seed 3) and a frustrated grid (couplings U(−J, J), seed 5).
    public static let paperGrids = [
        Grid(name: "attractive", title: "attractive", couplings: .attractive, seed: 3),
        Grid(name: "mixed", title: "mixed (frustrated)", couplings: .mixed, seed: 5, errorKey: .topLeft),
    ]

    /// The side × side Ising grid of `grid` at strength J.
    public func model(_ grid: Grid, strength: Double) -> FactorGraph {
        ModelGenerator.pairwise(variables: side * side, edges: Topology.grid(rows: side, columns: side), potential: .ising, labels: 2,
                                coupling: strength, field: field, couplings: grid.couplings, random: RandomSource(seed: grid.seed))
    }

    /// Exact inference, mean-field, BP and TRW on `grid` at every strength.
    /// - Throws: `MRFError` when exact inference refuses the grid (too wide).
    public func sweep(_ grid: Grid) throws -> [Point] {
        let n = Double(side * side)
        return try strengths.map { strength in
            let graph = CompiledGraph(model(grid, strength: strength))
            let exact = try ExactSettings().solve(graph)
            let mf = try Algorithm.relaxation(meanField).run(on: graph)
            let bp = try Algorithm.beliefPropagation(beliefPropagation).run(on: graph)
            let trw = try Algorithm.treeReweighted(treeReweighted).run(on: graph)
            func error(_ result: SolverResult) -> Double { maxMarginalError(result.marginals, exact.marginals) }
            func converged(_ result: SolverResult, _ tolerance: Double) -> Bool {
                result.trace.points.last.map { $0.maxChange < tolerance } ?? false
            }
            return Point(strength: strength, exact: exact.logZ / n, meanField: mf.logZ / n, bethe: bp.logZ / n, treeReweighted: trw.logZ / n,
                         meanFieldMarginalError: error(mf), betheMarginalError: error(bp), treeReweightedMarginalError: error(trw),
                         bpIterations: bp.iterations, trwIterations: trw.iterations,
                         bpConverged: converged(bp, beliefPropagation.tolerance), trwConverged: converged(trw, treeReweighted.tolerance))
        }
    }

    /// The columns of each grid's data file: log Z values per variable, their errors against exact
    /// (`exact_error` is exact against itself, 0, the reference line of the two error rows), max
    /// marginal errors and the iterations BP and TRW ran.
    public static let columns = [
        DataColumn("J"), DataColumn("exact"), DataColumn("mf"), DataColumn("bethe"), DataColumn("trw"),
        DataColumn("exact_error"), DataColumn("mf_error"), DataColumn("bethe_error"), DataColumn("trw_error"),
        DataColumn("mf_marginal_error"), DataColumn("bp_marginal_error"), DataColumn("trw_marginal_error"),
        DataColumn("bp_iterations"), DataColumn("trw_iterations"),
    ]

    /// The data file of one grid: dataset `sweep` with a row per J, BP's (TRW's) columns missing
    /// where it did not converge, and datasets `bp-unconverged` (`trw-unconverged`) holding just
    /// those rows in full, present only when there are any.
    public func dataFile(_ grid: Grid, _ points: [Point]) -> DataFile {
        func row(_ p: Point, bp: Bool, trw: Bool) -> [Double] {
            let (bethe, betheError, betheMarginal) = bp ? (p.bethe, p.bethe - p.exact, p.betheMarginalError) : (.nan, .nan, .nan)
            let (tree, treeError, treeMarginal) = trw
                ? (p.treeReweighted, p.treeReweighted - p.exact, p.treeReweightedMarginalError) : (.nan, .nan, .nan)
            return [p.strength, p.exact, p.meanField, bethe, tree, 0, p.meanField - p.exact, betheError, treeError,
                    p.meanFieldMarginalError, betheMarginal, treeMarginal, Double(p.bpIterations), Double(p.trwIterations)]
        }
        var datasets = [NamedDataset(name: "sweep", rows: points.map { row($0, bp: $0.bpConverged, trw: $0.trwConverged) })]
        let bpStopped = points.filter { !$0.bpConverged }, trwStopped = points.filter { !$0.trwConverged }
        if !bpStopped.isEmpty { datasets.append(NamedDataset(name: "bp-unconverged", rows: bpStopped.map { row($0, bp: true, trw: true) })) }
        if !trwStopped.isEmpty { datasets.append(NamedDataset(name: "trw-unconverged", rows: trwStopped.map { row($0, bp: true, trw: true) })) }
        return DataFile(name: "mrf-coupling-\(grid.name)", columns: Self.columns, provenance: provenance, datasets: datasets)
    }

    /// The figure (three rows: log Z / n, error of log Z / n, max marginal error; a column per grid,
    /// each method in the same colour in every panel) and a note per grid and method that stopped
    /// at its iteration cap somewhere.
    /// - Throws: `MRFError` when exact inference refuses the grid.
    public func product() throws -> FigureProduct {
        var notes: [String] = []
        let files = try grids.map { grid in
            let points = try sweep(grid)
            for (method, stopped) in [("bp", points.filter { !$0.bpConverged }), ("trw", points.filter { !$0.trwConverged })] where !stopped.isEmpty {
                notes.append("mrf-coupling: \(method) stopped at its iteration cap without converging on the \(grid.title) grid at J = "
                             + stopped.map { gnuplotNumber($0.strength) }.joined(separator: ", ") + "; drawn as separate markers")
            }
            return dataFile(grid, points)
        }
        let strength = Axis(label: "coupling strength J", lower: strengths.min(), upper: strengths.max())
        /// A line per column from `sweep`, and markers in the same colour from the unconverged dataset
        /// of the column's method.
        func series(_ file: DataFile, _ columns: [(name: String, title: String, method: String?)]) -> [Series] {
            let numbered = columns.enumerated().map { (lineType: $0.offset + 1, column: $0.element) }
            return numbered.map {
                Series(data: file, dataset: "sweep", x: "J", y: .name($0.column.name), style: .linespoints, title: $0.column.title, lineType: $0.lineType)
            } + numbered.compactMap { lineType, column in
                guard let method = column.method, file.datasetIndex(named: "\(method)-unconverged") != nil else { return nil }
                return Series(data: file, dataset: .name("\(method)-unconverged"), x: "J", y: .name(column.name), style: .points,
                              title: "\(column.title), \(method) not converged", lineType: lineType)
            }
        }
        let rows: [(title: String, y: Axis, key: Panel.KeyPosition?, columns: [(name: String, title: String, method: String?)])] = [
            ("log Z per variable", Axis(label: "log Z / n"), .topLeft,
             [("exact", "exact (junction tree)", nil), ("mf", "mean-field (lower bound)", nil), ("bethe", "Bethe (BP)", "bp"),
              ("trw", "TRW (upper bound)", "trw")]),
            ("estimate − exact log Z, per variable", Axis(label: "(estimate − log Z) / n"), nil,
             [("exact_error", "exact", nil), ("mf_error", "mean-field", nil), ("bethe_error", "Bethe (BP)", "bp"), ("trw_error", "TRW", "trw")]),
            ("max marginal error vs exact", Axis(label: "max |b − p|", lower: 0, upper: 1.3), .topLeft,
             [("exact_error", "exact", nil), ("mf_marginal_error", "mean-field", nil), ("bp_marginal_error", "BP", "bp"),
              ("trw_marginal_error", "TRW", "trw")]),
        ]
        let panels = rows.flatMap { row in
            zip(grids, files).map { grid, file in
                Panel(title: "\(grid.title) \(side)×\(side) Ising: \(row.title)", x: strength, y: row.y, key: row.key ?? grid.errorKey, series: series(file, row.columns))
            }
        }
        let title = "Bounds and approximations of log Z against coupling strength (fields U(−\(gnuplotNumber(field)), \(gnuplotNumber(field))));"
            + " \(meanField), \(beliefPropagation), \(treeReweighted)"
        return FigureProduct(figures: [Figure(name: "mrf-coupling", title: title, rows: rows.count, columns: grids.count, panels: panels)], notes: notes)
    }
}
