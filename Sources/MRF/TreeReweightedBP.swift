import RealModule
import Simplex

/// Tree-reweighted sum-product (Wainwright, Jaakkola & Willsky 2005) on the pairwise part of a
/// `CompiledGraph`: loopy BP with edge appearance probabilities ρ_e of a distribution over spanning
/// trees, whose fixed point gives an *upper* bound on log Z.
///
/// Messages are kept as logs, normalised (log-sum-exp 0). With log-potentials −θ, the message from t
/// to s is
///   m_{t→s}(x_s) ∝ Σ_{x_t} exp(−θ_ts(x_t, x_s)/ρ_ts − θ_t(x_t)) Π_{v∈N(t)} m_{v→t}(x_t)^{ρ_vt} / m_{s→t}(x_t),
/// variables are updated in index order, each sending all its messages (damped in probability space).
/// Beliefs b_s ∝ exp(−θ_s) Π_v m_{v→s}^{ρ_vs}; pair beliefs b_st ∝ exp(−θ_st/ρ_st) times the two
/// cavities. The bound is −U + Σ_s H(b_s) − Σ_st ρ_st I(b_st), U the expected energy under the
/// beliefs and I the mutual information; it holds at a fixed point. On a tree every ρ is 1 and
/// this is BP. A message into a label that is impossible (a zero) stays a zero.
public final class TreeReweightedBP: IterativeSolver {
    /// The settings.
    public let settings: TRWSettings
    /// The (pairwise) model.
    public let graph: CompiledGraph
    /// ρ of each CSR entry (the same for both directions of an edge).
    public let rho: [Double]
    /// Iterations done.
    public private(set) var iteration = 0
    /// log m into variable i from the neighbour of CSR entry e, d_i entries at `messageStart[e]`.
    private var logMessages: [Double]
    private let messageStart: [Int]

    /// Throws `.invalidModel` for factors over three or more variables.
    public init(_ settings: TRWSettings, graph: CompiledGraph) throws(MRFError) {
        guard graph.isPairwise else {
            throw .invalidModel("trw handles pairwise models only (factors of at most two variables); this model has \(graph.higherOrder.count) larger factors — use exact or mf")
        }
        self.settings = settings
        self.graph = graph
        var starts: [Int] = [], total = 0
        for i in 0 ..< graph.variableCount {
            for _ in graph.adjacencyStart[i] ..< graph.adjacencyStart[i + 1] {
                starts.append(total)
                total += graph.cardinalities[i]
            }
        }
        messageStart = starts
        logMessages = (0 ..< graph.variableCount).flatMap { i in
            (graph.adjacencyStart[i] ..< graph.adjacencyStart[i + 1]).flatMap { _ in
                [Double](repeating: -Double.log(Double(graph.cardinalities[i])), count: graph.cardinalities[i])
            }
        }
        rho = settings.rho.map { [Double](repeating: $0, count: graph.neighbor.count) }
            ?? Self.edgeAppearance(graph, trees: settings.trees, seed: settings.seed)
    }

    /// ρ_e from random spanning forests: the fraction of `trees` forests (more if needed so that every
    /// edge is covered) that contain e, per CSR entry.
    public static func edgeAppearance(_ graph: CompiledGraph, trees: Int, seed: Int) -> [Double] {
        let n = graph.variableCount
        var edges: [(Int, Int, Int)] = []   // (i, j, entry of j in i's list), i < j
        for i in 0 ..< n {
            for e in graph.adjacencyStart[i] ..< graph.adjacencyStart[i + 1] where graph.neighbor[e] > i { edges.append((i, graph.neighbor[e], e)) }
        }
        let random = RandomSource(seed: UInt(seed))
        var count = [Int](repeating: 0, count: edges.count)
        var covered = 0, drawn = 0
        while drawn < trees || covered < edges.count {
            let shuffled = random.permutation(edges.count)
            let order = shuffled.filter { count[$0] == 0 } + shuffled.filter { count[$0] > 0 }
            var parent = Array(0 ..< n)
            func root(_ x: Int) -> Int {
                var x = x
                while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
                return x
            }
            for k in order {
                let (a, b) = (root(edges[k].0), root(edges[k].1))
                guard a != b else { continue }
                parent[a] = b
                if count[k] == 0 { covered += 1 }
                count[k] += 1
            }
            drawn += 1
        }
        var rho = [Double](repeating: 1, count: graph.neighbor.count)
        for (k, edge) in edges.enumerated() {
            let value = Double(count[k]) / Double(drawn)
            rho[edge.2] = value
            rho[graph.reverse[edge.2]] = value
        }
        return rho
    }

    /// −θ_i(a) + Σ_{e ∈ N(i)} ρ_e log m_e(a): the log of the unnormalised belief of variable i.
    private func logTotal(_ i: Int) -> [Double] {
        var total = graph.unaryEnergies(of: i).map { -$0 }
        for e in graph.adjacencyStart[i] ..< graph.adjacencyStart[i + 1] {
            for a in total.indices {
                let m = logMessages[messageStart[e] + a]
                total[a] += m == -.infinity ? -.infinity : rho[e] * m
            }
        }
        return total
    }

    /// The cavity of i towards the neighbour of entry e: total − log m_e (a zero message stays −∞).
    private func cavity(_ total: [Double], _ e: Int) -> [Double] {
        total.indices.map { a in
            let m = logMessages[messageStart[e] + a]
            return m == -.infinity || total[a] == -.infinity ? -.infinity : total[a] - m
        }
    }

    /// One iteration: every variable, in index order, sends all its messages. Returns the largest change.
    @discardableResult
    public func step() -> Double {
        iteration += 1
        var change = 0.0
        let alpha = settings.damping
        for t in 0 ..< graph.variableCount {
            let total = logTotal(t)
            let dt = graph.cardinalities[t]
            for e in graph.adjacencyStart[t] ..< graph.adjacencyStart[t + 1] {
                let s = graph.neighbor[e], ds = graph.cardinalities[s]
                let c = cavity(total, e)
                var out = [Double](repeating: -.infinity, count: ds)
                for xs in 0 ..< ds {
                    var terms = [Double](repeating: -.infinity, count: dt)
                    for xt in 0 ..< dt where c[xt] > -.infinity {
                        terms[xt] = c[xt] - graph.tables[graph.tableStart[e] + xt * ds + xs] / rho[e]
                    }
                    out[xs] = logSumExp(terms)
                }
                let norm = logSumExp(out)
                let slot = messageStart[graph.reverse[e]]
                for xs in 0 ..< ds {
                    let new = norm > -.infinity ? Double.exp(out[xs] - norm) : 1 / Double(ds)
                    let old = Double.exp(logMessages[slot + xs])
                    let value = (1 - alpha) * new + alpha * old
                    change = max(change, abs(value - old))
                    logMessages[slot + xs] = value > 0 ? Double.log(value) : -.infinity
                }
            }
        }
        return change
    }

    /// b_i ∝ exp(−θ_i) Π_k m_{k→i}^{ρ}, normalised.
    public var beliefs: [[Double]] {
        (0 ..< graph.variableCount).map { i in
            let total = logTotal(i), norm = logSumExp(total)
            return norm > -.infinity ? total.map { Double.exp($0 - norm) } : total.map { _ in 1 / Double(total.count) }
        }
    }

    /// The TRW free energy at the current messages: (U, H_TRW, −U + H_TRW).
    public var freeEnergy: (energy: Double, entropy: Double, logZ: Double) {
        let b = beliefs
        var energy = graph.constant, entropy = 0.0
        for i in 0 ..< graph.variableCount {
            energy += zip(graph.unaryEnergies(of: i), b[i]).reduce(0) { $0 + weighted($1.0, $1.1) }
            entropy += Simplex.entropy(b[i])
            let totalI = logTotal(i)
            for e in graph.adjacencyStart[i] ..< graph.adjacencyStart[i + 1] where graph.neighbor[e] > i {
                let j = graph.neighbor[e], (di, dj) = (graph.cardinalities[i], graph.cardinalities[j])
                let left = cavity(totalI, e), right = cavity(logTotal(j), graph.reverse[e])
                var logJoint = [Double](repeating: -.infinity, count: di * dj)
                for a in 0 ..< di where left[a] > -.infinity {
                    for c in 0 ..< dj where right[c] > -.infinity {
                        logJoint[a * dj + c] = left[a] + right[c] - graph.tables[graph.tableStart[e] + a * dj + c] / rho[e]
                    }
                }
                let norm = logSumExp(logJoint)
                guard norm > -.infinity else { continue }
                var information = 0.0
                for a in 0 ..< di {
                    for c in 0 ..< dj {
                        let p = Double.exp(logJoint[a * dj + c] - norm)
                        guard p > 0 else { continue }
                        energy += weighted(graph.tables[graph.tableStart[e] + a * dj + c], p)
                        information += p * Double.log(p / (b[i][a] * b[j][c]))
                    }
                }
                entropy -= rho[e] * information
            }
        }
        return (energy, entropy, -energy + entropy)
    }

    /// The trace point of the current messages.
    public func tracePoint(maxChange: Double, reference: ExactResult?) -> TracePoint {
        let b = beliefs, (energy, entropy, logZ) = freeEnergy
        let labels = argmaxLabels(b)
        return TracePoint(iteration: iteration, expectedEnergy: energy, entropy: entropy, logZEstimate: logZ,
                          roundedEnergy: graph.energy(of: labels), maxChange: maxChange, beta: 1,
                          marginalError: reference.map { maxMarginalError(b, $0.marginals) },
                          logZError: reference.map { logZ - $0.logZ })
    }

    /// The canonical spec text of the settings.
    public var name: String { settings.description }
    /// `maxiter`.
    public var maxIterations: Int { settings.maxIterations }
    /// `tol`.
    public var tolerance: Double { settings.tolerance }
    /// The beliefs.
    public var marginals: [[Double]] { beliefs }
    /// argmax_a b_i(a) per variable (lowest label among ties).
    public var labels: [Int] { argmaxLabels(beliefs) }
}
