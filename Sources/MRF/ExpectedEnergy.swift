/// The mean-field objective of an explicit MRF: the expected energy under the fully factorised
/// distribution u,
///
///   E_u[E] = c + Σ_i Σ_a θ_i(a) u_i(a) + Σ_{ij} Σ_{a,b} θ_ij(a,b) u_i(a) u_j(b)
///            + Σ_{f, |f| ≥ 3} Σ_x θ_f(x) Π_{k∈f} u_k(x_k),
///
/// multilinear in the rows, with gradient g_i(a) = θ_i(a) + Σ_j Σ_b θ_ij(a,b) u_j(b) + … — the
/// expected energy of x_i = a given the other rows. Mean-field is u_i ← softmax(−g_i).
/// Products use ∞·0 = 0, so hard constraints that u gives zero mass cost nothing.
public struct ExpectedEnergy: RelaxedObjective {
    /// The model.
    public let graph: CompiledGraph

    /// The expected energy of `graph`.
    public init(_ graph: CompiledGraph) { self.graph = graph }

    /// d_i for every row.
    public var cardinalities: [Int] { graph.cardinalities }
    /// Row i of u occupies `offsets[i] ..< offsets[i + 1]` in the flat buffer (d_i labels per variable).
    public var offsets: [Int] { graph.offsets }

    /// E_u[E] = Σ_f Σ_{x_f} θ_f(x_f) Π_{i∈f} u_i(x_i), the expected energy under the factorised u.
    public func value(at u: UnsafeBufferPointer<Double>) -> Double {
        var total = graph.constant
        let offsets = graph.offsetBuffer
        for i in 0 ..< graph.variableCount {
            let (oi, di) = (offsets[i], offsets[i + 1] - offsets[i])
            for a in 0 ..< di { total += weighted(graph.unary[oi + a], u[oi + a]) }
            for e in graph.adjacencyStart[i] ..< graph.adjacencyStart[i + 1] where graph.neighbor[e] > i {
                let j = graph.neighbor[e]
                let (oj, dj) = (offsets[j], offsets[j + 1] - offsets[j])
                let table = graph.tableStart[e]
                for a in 0 ..< di where u[oi + a] != 0 {
                    for b in 0 ..< dj { total += weighted(graph.tables[table + a * dj + b], u[oi + a] * u[oj + b]) }
                }
            }
        }
        for factor in graph.higherOrder {
            for index in factor.energies.indices {
                let labels = factor.labels(at: index)
                let p = factor.scope.indices.reduce(1.0) { $0 * u[offsets[factor.scope[$1]] + labels[$1]] }
                total += weighted(factor.energies[index], p)
            }
        }
        return total
    }

    /// g_i(a) = ∂E_u[E]/∂u_i(a): the expected energy of the factors containing i with x_i = a, the other rows held fixed.
    public func gradient(row i: Int, at u: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) {
        gradientRow(i, u.baseAddress!, g.baseAddress!)
    }

    /// The pairwise hot loop on raw pointers, then the (rare) higher-order factors.
    private func gradientRow(_ i: Int, _ u: UnsafePointer<Double>, _ g: UnsafeMutablePointer<Double>) {
        let offsets = graph.offsetBuffer, tables = graph.tables.baseAddress!
        let (oi, di) = (offsets[i], offsets[i + 1] - offsets[i])
        for a in 0 ..< di { g[a] = graph.unary[oi + a] }
        for e in graph.adjacencyStart[i] ..< graph.adjacencyStart[i + 1] {
            let j = graph.neighbor[e]
            let uj = u + offsets[j]
            let dj = offsets[j + 1] - offsets[j]
            var row = tables + graph.tableStart[e]
            for a in 0 ..< di {
                var s = 0.0
                for b in 0 ..< dj { s += weighted(row[b], uj[b]) }
                g[a] += s
                row += dj
            }
        }
        guard !graph.isPairwise else { return }
        for f in graph.higherOrderOf[i] {
            let factor = graph.higherOrder[f]
            let t = factor.scope.firstIndex(of: i)!
            for index in factor.energies.indices {
                let labels = factor.labels(at: index)
                var p = 1.0
                for s in factor.scope.indices where s != t { p *= u[offsets[factor.scope[s]] + labels[s]] }
                g[labels[t]] += weighted(factor.energies[index], p)
            }
        }
    }

    /// E(x) of one labelling (+∞ where a factor is a hard zero).
    public func energy(of labels: [Int]) -> Double { graph.energy(of: labels) }
}
