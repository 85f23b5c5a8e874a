import RealModule
import Simplex
import Support

/// Loopy belief propagation on the pairwise part of a `CompiledGraph` (factors over at most two
/// variables), in probability space so that zero potentials are exact zeros.
///
/// Potentials are ψ_i(a) = exp(−(θ_i(a) − min θ_i)) and ψ_ij = exp(−(θ_ij − min θ_ij)) (shifts
/// cancel in normalised messages). The message from i to j is
/// m_{i→j}(b) ∝ ⊕_a ψ_i(a) Π_{k∈N(i)∖j} m_{k→i}(a) ψ_ij(a, b), with ⊕ = Σ (sum-product) or max
/// (max-product), normalised to sum 1. Updating variable i means sending all of its messages; the
/// cavity products Π_{k≠j} come from prefix and suffix products, O(deg·d) per variable and no
/// division (so zeros are safe). Beliefs b_i ∝ ψ_i Π_k m_{k→i}; on a tree sum-product is exact.
/// Bethe: log Z_B = −U + H_B with U = Σ_i E_{b_i}[θ_i] + Σ_ij E_{b_ij}[θ_ij] and
/// H_B = Σ_ij H(b_ij) − Σ_i (deg_i − 1) H(b_i).
public final class BeliefPropagation: IterativeSolver {
    /// The settings.
    public let settings: BPSettings
    /// The (pairwise) model.
    public let graph: CompiledGraph
    /// Iterations done.
    public private(set) var iteration = 0
    /// Message into variable i from the neighbour of CSR entry e, d_i entries at `messageStart[e]`.
    private var messages: [Double]
    private var next: [Double]
    private let messageStart: [Int]
    private let unaryPotential: [Double]
    private let pairPotential: [Double]
    private let maxDegree: Int

    /// Throws `.invalidModel` for a model with factors over three or more variables.
    public init(_ settings: BPSettings, graph: CompiledGraph) throws(MRFError) {
        guard graph.isPairwise else {
            throw .invalidModel("bp handles pairwise models only (factors of at most two variables); this model has \(graph.higherOrder.count) larger factors — use exact or mf")
        }
        self.settings = settings
        self.graph = graph
        var starts: [Int] = [], total = 0
        var degree = 0
        for i in 0 ..< graph.variableCount {
            degree = max(degree, graph.adjacencyStart[i + 1] - graph.adjacencyStart[i])
            for _ in graph.adjacencyStart[i] ..< graph.adjacencyStart[i + 1] {
                starts.append(total)
                total += graph.cardinalities[i]
            }
        }
        messageStart = starts
        maxDegree = degree
        var messages: [Double] = [], unaryPotential: [Double] = [], pairPotential: [Double] = []
        messages.reserveCapacity(total)
        unaryPotential.reserveCapacity(graph.offsets[graph.variableCount])
        for i in 0 ..< graph.variableCount {
            Self.appendShiftedExp(graph.unary[graph.offsets[i] ..< graph.offsets[i + 1]], to: &unaryPotential)
            for e in graph.adjacencyStart[i] ..< graph.adjacencyStart[i + 1] {
                let (di, dj) = (graph.cardinalities[i], graph.cardinalities[graph.neighbor[e]])
                messages.append(contentsOf: repeatElement(1 / Double(di), count: di))
                Self.appendShiftedExp(graph.tables[graph.tableStart[e] ..< graph.tableStart[e] + di * dj], to: &pairPotential)
            }
        }
        self.messages = messages
        next = messages
        self.unaryPotential = unaryPotential
        self.pairPotential = pairPotential
    }

    /// Appends exp(−(θ − min θ)) of `energies` to `out`, the min over finite entries (all-infinite
    /// appends zeros).
    private static func appendShiftedExp(_ energies: Slice<UnsafeMutableBufferPointer<Double>>, to out: inout [Double]) {
        var low = Double.infinity
        for x in energies where x.isFinite { low = min(low, x) }
        if low == .infinity { low = 0 }
        for x in energies { out.append(Double.exp(-(x - low))) }
    }

    /// One iteration: every variable sends all its messages. Returns the largest message change.
    @discardableResult
    public func step() -> Double {
        iteration += 1
        let n = graph.variableCount
        if settings.schedule == .parallel {
            let change = messages.withUnsafeBufferPointer { source in
                next.withUnsafeMutableBufferPointer { target in
                    parallelMaximum(count: n) { range in
                        withScratch { scratch in range.reduce(0) { max($0, send(from: $1, source: source, target: target, scratch: scratch)) } }
                    }
                }
            }
            swap(&messages, &next)
            return change
        }
        return messages.withUnsafeMutableBufferPointer { target in
            withScratch { scratch in
                (0 ..< n).reduce(0) { max($0, send(from: $1, source: UnsafeBufferPointer(target), target: target, scratch: scratch)) }
            }
        }
    }

    private func withScratch(_ body: (UnsafeMutablePointer<Double>) -> Double) -> Double {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: (maxDegree + 2) * graph.maxCardinality) { body($0.baseAddress!) }
    }

    /// Sends every message of variable i, reading incoming messages from `source` and writing into
    /// `target` (the same memory for the sequential schedule). Returns the largest change.
    private func send(from i: Int, source: UnsafeBufferPointer<Double>, target: UnsafeMutableBufferPointer<Double>,
                      scratch: UnsafeMutablePointer<Double>) -> Double {
        let first = graph.adjacencyStart[i], degree = graph.adjacencyStart[i + 1] - first
        guard degree > 0 else { return 0 }
        let di = graph.cardinalities[i], dMax = graph.maxCardinality
        let maximise = settings.inference == .max, alpha = settings.damping
        let input = source.baseAddress!, output = target.baseAddress!
        let prefix = scratch, suffix = scratch + degree * dMax, out = suffix + dMax
        // prefix[t] = ψ_i ∘ Π_{s<t} m_s.
        unaryPotential.withUnsafeBufferPointer { ψ in
            for a in 0 ..< di { prefix[a] = ψ[graph.offsets[i] + a] }
        }
        for t in 1 ..< degree {
            let previous = prefix + (t - 1) * dMax, current = prefix + t * dMax, m = input + messageStart[first + t - 1]
            for a in 0 ..< di { current[a] = previous[a] * m[a] }
        }
        for a in 0 ..< di { suffix[a] = 1 }
        var change = 0.0
        pairPotential.withUnsafeBufferPointer { ψ in
            for t in stride(from: degree - 1, through: 0, by: -1) {
                let e = first + t, j = graph.neighbor[e], dj = graph.cardinalities[j]
                let cavity = prefix + t * dMax
                for a in 0 ..< di { cavity[a] *= suffix[a] }
                for b in 0 ..< dj { out[b] = 0 }
                var row = ψ.baseAddress! + graph.tableStart[e]
                for a in 0 ..< di {
                    let c = cavity[a]
                    if maximise {
                        for b in 0 ..< dj { out[b] = max(out[b], c * row[b]) }
                    } else {
                        for b in 0 ..< dj { out[b] += c * row[b] }
                    }
                    row += dj
                }
                var total = 0.0
                for b in 0 ..< dj { total += out[b] }
                let scale = total > 0 && total.isFinite ? 1 / total : 0
                let slot = messageStart[graph.reverse[e]], old = input + slot
                for b in 0 ..< dj {
                    var value = scale > 0 ? out[b] * scale : 1 / Double(dj)
                    if alpha > 0 { value = (1 - alpha) * value + alpha * old[b] }
                    change = max(change, abs(value - old[b]))
                    output[slot + b] = value
                }
                let m = input + messageStart[e]
                for a in 0 ..< di { suffix[a] *= m[a] }
            }
        }
        return change
    }

    /// b_i ∝ ψ_i Π_k m_{k→i} (max-marginals for max-product), normalised.
    public var beliefs: [[Double]] {
        (0 ..< graph.variableCount).map { i in
            var product = [Double](repeating: 0, count: graph.cardinalities[i])
            cavity(of: i, excluding: nil, into: &product)
            return normalised(product)
        }
    }

    /// Writes ψ_i Π_{k ∈ N(i), entry ≠ excluded} m_{k→i} into the first d_i entries of `product`.
    private func cavity(of i: Int, excluding excluded: Int?, into product: inout [Double]) {
        let start = graph.offsets[i], di = graph.cardinalities[i]
        for a in 0 ..< di { product[a] = unaryPotential[start + a] }
        for e in graph.adjacencyStart[i] ..< graph.adjacencyStart[i + 1] where e != excluded {
            for a in 0 ..< di { product[a] *= messages[messageStart[e] + a] }
        }
    }

    private func normalised(_ x: [Double]) -> [Double] {
        let total = x.reduce(0, +)
        return total > 0 ? x.map { $0 / total } : x.map { _ in 1 / Double(x.count) }
    }

    /// The Bethe approximation (U, H_B, log Z_B = −U + H_B) at the current messages.
    public var bethe: (energy: Double, entropy: Double, logZ: Double) { bethe(beliefs: beliefs) }

    /// The Bethe approximation given the current `beliefs`.
    private func bethe(beliefs b: [[Double]]) -> (energy: Double, entropy: Double, logZ: Double) {
        var energy = graph.constant, entropy = 0.0
        let dMax = graph.maxCardinality
        var left = [Double](repeating: 0, count: dMax), right = left, joint = [Double](repeating: 0, count: dMax * dMax)
        for i in 0 ..< graph.variableCount {
            let unary = graph.unaryEnergies(of: i)
            energy += zip(unary, b[i]).reduce(0) { $0 + weighted($1.0, $1.1) }
            let degree = graph.adjacencyStart[i + 1] - graph.adjacencyStart[i]
            entropy -= Double(degree - 1) * Simplex.entropy(b[i])
            for e in graph.adjacencyStart[i] ..< graph.adjacencyStart[i + 1] where graph.neighbor[e] > i {
                let j = graph.neighbor[e], (di, dj) = (graph.cardinalities[i], graph.cardinalities[j])
                cavity(of: i, excluding: e, into: &left)
                cavity(of: j, excluding: graph.reverse[e], into: &right)
                let size = di * dj
                var total = 0.0
                for a in 0 ..< di {
                    for c in 0 ..< dj {
                        joint[a * dj + c] = left[a] * pairPotential[graph.tableStart[e] + a * dj + c] * right[c]
                        total += joint[a * dj + c]
                    }
                }
                // Normalised (uniform when the product vanishes).
                for k in 0 ..< size { joint[k] = total > 0 ? joint[k] / total : 1 / Double(size) }
                for k in 0 ..< size { energy += weighted(graph.tables[graph.tableStart[e] + k], joint[k]) }
                entropy += Simplex.entropy(joint[0 ..< size])
            }
        }
        return (energy, entropy, -energy + entropy)
    }

    /// The trace point of the current messages.
    public func tracePoint(maxChange: Double, reference: ExactResult?) -> TracePoint {
        let b = beliefs, (energy, entropy, logZ) = bethe(beliefs: b)
        let labels = argmaxLabels(b)
        let rounded = graph.energy(of: labels)
        let estimate = settings.inference == .sum ? logZ : -rounded
        return TracePoint(iteration: iteration, expectedEnergy: energy, entropy: entropy, logZEstimate: estimate,
                          roundedEnergy: rounded, maxChange: maxChange, beta: 1,
                          marginalError: reference.map { maxMarginalError(b, $0.marginals) },
                          logZError: reference.map { estimate - $0.logZ })
    }

    /// The canonical spec text of the settings.
    public var name: String { settings.description }
    /// The iteration cap (`maxiter`).
    public var maxIterations: Int { settings.maxIterations }
    /// Convergence threshold on the largest message change (`tol`).
    public var tolerance: Double { settings.tolerance }
    /// The beliefs (max-marginals for max-product).
    public var marginals: [[Double]] { beliefs }
    /// argmax_a b_i(a) per variable (lowest label among ties).
    public var labels: [Int] { argmaxLabels(beliefs) }
}

/// argmax_a b_i(a) per variable (lowest label among ties): the labelling BP and TRW round their
/// beliefs to.
func argmaxLabels(_ beliefs: [[Double]]) -> [Int] {
    beliefs.map { row in row.withUnsafeBufferPointer { argmax($0) } }
}
