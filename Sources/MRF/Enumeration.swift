import RealModule

/// Exact inference by visiting every labelling: O(Π d_i · |factors|). The reference that
/// elimination is tested against; refuses models with more than `maxStates` labellings.
public struct Enumeration: Sendable {
    /// The largest number of labellings it agrees to visit.
    public var maxStates: Double

    /// - Parameter maxStates: default 2²⁰ (about a million labellings, well under a second).
    public init(maxStates: Double = 1_048_576) { self.maxStates = maxStates }

    /// log Z, marginals and a MAP labelling. Throws `.tooLarge` beyond `maxStates` and
    /// `.invalidModel` when every labelling has infinite energy (Z = 0).
    public func solve(_ graph: CompiledGraph) throws(MRFError) -> ExactResult {
        let states = graph.graph.stateCount
        guard states <= maxStates else {
            throw .tooLarge("exact[method=enumerate] would visit \(countText(states)) labellings, more than maxstates=\(countText(maxStates)); use exact (elimination) or raise it with exact[method=enumerate,maxstates=\(countText(states))]")
        }
        let n = graph.variableCount
        var labels = [Int](repeating: 0, count: n)
        var energies: [Double] = []
        energies.reserveCapacity(Int(states))
        var best = labels, bestEnergy = Double.infinity
        repeat {
            let e = graph.energy(of: labels)
            energies.append(e)
            if e < bestEnergy { (best, bestEnergy) = (labels, e) }
        } while advance(&labels, cardinalities: graph.cardinalities)
        let logZ = logSumExp(energies.map { -$0 })
        guard logZ > -.infinity else {
            throw .zeroPartition
        }
        var marginals = graph.cardinalities.map { [Double](repeating: 0, count: $0) }
        labels = [Int](repeating: 0, count: n)
        var k = 0
        repeat {
            let p = Double.exp(-energies[k] - logZ)
            for i in 0 ..< n { marginals[i][labels[i]] += p }
            k += 1
        } while advance(&labels, cardinalities: graph.cardinalities)
        return ExactResult(logZ: logZ, marginals: marginals, map: best, mapEnergy: bestEnergy)
    }
}

/// Steps a labelling to the next one in row-major order (last variable fastest); false after the last.
func advance(_ labels: inout [Int], cardinalities: [Int]) -> Bool {
    var t = labels.count - 1
    while t >= 0 {
        labels[t] += 1
        if labels[t] < cardinalities[t] { return true }
        labels[t] = 0
        t -= 1
    }
    return false
}

/// log Σ exp(x) computed stably; −∞ for an empty or all −∞ input.
func logSumExp(_ x: [Double]) -> Double {
    let top = x.max() ?? -.infinity
    guard top.isFinite else { return top }
    return top + Double.log(x.reduce(0) { $0 + Double.exp($1 - top) })
}
