import NeuralNet
import Quantization

/// The ablation of the choices where the presets follow the authors' code because the paper's text
/// is silent (docs/reproducing.md, "Ablation"): each row switches one choice back to its other value
/// and retrains the methods it concerns with the ρ-study network's seeds; the first row is the
/// presets themselves (Table 2's runs).
public struct Ablation: Sendable {
    /// One row: a title, the methods (preset base names) the choice concerns, and the change.
    public struct Row: Sendable {
        public var title: String
        public var methods: [String]
        /// Each method's spec with the choice switched (a base name where the method is unchanged).
        public var specs: [String: String]
        /// A learning-rate schedule replacing the preset's, or nil.
        public var schedule: String?
        /// The BatchNorm evaluation replacing the preset's, or nil.
        public var bn: String?
    }

    /// The network ablated (its seeds are the rows' seeds).
    public let net: TrainingSchedule.Net
    /// The presets' row, then one row per switched choice.
    public let rows: [Row]

    /// The rows for `net`: the presets; PMF's pullback as the one-softmax matrix and as the exact
    /// Jacobian; ũ⁰ tied to the float initialisation (−w, w) for PICM, PGD and PMF; ProxQuant under
    /// Table 4's stepped learning rate; every method evaluated with BatchNorm statistics re-estimated
    /// for its evaluated weights over 20 training batches.
    /// - Throws: `FigureError` when a preset is missing.
    public init(net: TrainingSchedule.Net) throws {
        self.net = net
        func variant(_ methods: [String], _ edit: (inout MethodSpec) -> Void) throws -> [String: String] {
            Dictionary(uniqueKeysWithValues: try methods.map { ($0, try TrainingRunStore.method($0, on: net, edit: edit)) })
        }
        let all = TrainingSchedule.paperMethods
        let identity = Dictionary(uniqueKeysWithValues: all.map { ($0, $0) })
        rows = [
            Row(title: "presets (authors' code where the paper is silent)", methods: all, specs: identity),
            Row(title: "PMF pullback: one softmax, β(I − ssᵀ) at s = u", methods: ["pmf"],
                specs: try variant(["pmf"]) { $0.jacobian = .oneSoftmax }),
            Row(title: "PMF pullback: exact softmax Jacobian", methods: ["pmf"], specs: try variant(["pmf"]) { $0.jacobian = .exact }),
            Row(title: "ũ⁰ tied to the float initialisation (−w, w)", methods: ["picm", "pgd", "pmf"],
                specs: try variant(["picm", "pgd", "pmf"]) { $0.initialization = .tied }),
            Row(title: "PQ under Table 4's stepped learning rate", methods: ["pq"], specs: ["pq": "pq"],
                schedule: try TrainingRunStore.defaultSchedule(on: net)),
            Row(title: "BatchNorm statistics re-estimated per evaluated network", methods: all, specs: identity,
                bn: BatchNormEvaluation.reestimate(batches: 20).description),
        ]
    }

    /// Every run of row `row` on `dataset`.
    func requests(_ row: Row, dataset: DatasetKind) -> [TrainingRequest] {
        row.methods.flatMap { method in
            net.seeds.map {
                TrainingRequest(dataset: dataset, net: net, method: row.specs[method]!, schedule: row.schedule, bn: row.bn, seed: $0)
            }
        }
    }

    /// Every run of the ablation on `dataset`, each once.
    func requests(dataset: DatasetKind) -> [TrainingRequest] { rows.flatMap { requests($0, dataset: dataset) } }
}
