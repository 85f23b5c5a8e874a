import Foundation
import RealModule

/// The UAI competition format for Markov networks (`MARKOV`) and Bayesian networks (`BAYES`): the
/// number of variables, their cardinalities, the factor scopes, then one table of potentials ψ ≥ 0
/// per factor, the *last* variable of a scope changing fastest (which is `Factor`'s own order).
///
/// In a `BAYES` file every table is a conditional probability table P(child | parents) with the
/// child listed *last* in its scope, so each run of d_child consecutive entries (one parent
/// labelling) sums to 1; the reader checks this to `bayesTolerance` per entry and reads the network
/// as the factor graph Π_f P(x_f), whose Z is 1 (and, with evidence, the probability of the evidence).
public enum UAIFormat {
    /// The preamble's network type.
    public enum Network: String, Sendable { case markov = "MARKOV", bayes = "BAYES" }

    /// How far a CPT row's sum may be from 1, per entry of the row: |Σ_a p(a | parents) − 1| ≤ d·1e-6
    /// (files print probabilities to about six digits).
    public static let bayesTolerance = 1e-6

    /// Parses a `MARKOV` or `BAYES` file's text; `file` names it in error messages.
    public static func parse(_ text: String, file: String) throws(MRFError) -> FactorGraph {
        try parseNetwork(text, file: file).graph
    }

    /// Parses a `MARKOV` or `BAYES` file's text, returning the network type as well. A `BAYES` table
    /// whose rows do not sum to 1 is an error naming the file, the table's line and the factor.
    public static func parseNetwork(_ text: String, file: String) throws(MRFError) -> (graph: FactorGraph, network: Network) {
        try parseNetwork(TokenReader(text: text, file: file))
    }

    /// Parses the tokens of a `MARKOV` or `BAYES` file.
    static func parseNetwork(_ tokens: TokenReader) throws(MRFError) -> (graph: FactorGraph, network: Network) {
        var reader = tokens
        let file = reader.file
        let firstLine = reader.line
        let type = try reader.word("the network type MARKOV or BAYES")
        guard let network = Network(rawValue: String(type)) else {
            throw .malformedFile(file: file, line: firstLine, expected: "the network type MARKOV or BAYES", found: "'\(type)'")
        }
        let n = try reader.integer("the number of variables (a positive integer)", in: 1 ... 100_000_000)
        var cardinalities: [Int] = []
        for i in 0 ..< n { cardinalities.append(try reader.integer("the cardinality of variable \(i) (a positive integer)", in: 1 ... 1 << 20)) }
        let count = try reader.integer("the number of factors (an integer ≥ 0)")
        var scopes: [[Int]] = []
        for f in 0 ..< count {
            let line = reader.line
            let arity = try reader.integer(network == .bayes ? "the number of variables of CPT \(f) (≥ 1: parents, then the child)"
                                                             : "the number of variables of factor \(f)", in: (network == .bayes ? 1 : 0) ... n)
            var scope: [Int] = []
            for _ in 0 ..< arity { scope.append(try reader.integer("a variable index of factor \(f) (0 … \(n - 1))", in: 0 ... n - 1)) }
            guard Set(scope).count == scope.count else {
                throw .malformedFile(file: file, line: line, expected: "distinct variables in the scope of factor \(f)", found: "\(scope)")
            }
            scopes.append(scope)
        }
        var factors: [Factor] = []
        for (f, scope) in scopes.enumerated() {
            let cards = scope.map { cardinalities[$0] }
            let size = try reader.tableSize(cards, of: "factor \(f)", limit: .max)
            let tableLine = reader.line
            _ = try reader.integer("\(size) (the table size of factor \(f))", in: size ... size)
            var potentials: [Double] = []
            potentials.reserveCapacity(min(size, reader.remaining))  // a lying size fails at the end of the file
            for _ in 0 ..< size { potentials.append(try reader.potential("a potential ≥ 0 of factor \(f)")) }
            if network == .bayes, let bad = unnormalisedRow(potentials, childCardinality: cards[cards.count - 1]) {
                throw .malformedFile(file: file, line: tableLine,
                                     expected: "factor \(f) to be a CPT \(cptName(scope)) whose rows over the child sum to 1",
                                     found: "row \(bad.row) summing to \(String(format: "%.9g", bad.sum)); fix the table, or write the network as MARKOV if it is not normalised")
            }
            factors.append(Factor(unchecked: scope, cardinalities: cards, energies: potentials.map(energy(ofPotential:))))
        }
        try reader.expectEnd()
        return (FactorGraph(unchecked: cardinalities, factors: factors), network)
    }

    /// `P(x3 | x0,x1)` for the scope [0, 1, 3].
    static func cptName(_ scope: [Int]) -> String {
        let child = "x\(scope[scope.count - 1])"
        return scope.count == 1 ? "P(\(child))" : "P(\(child) | " + scope.dropLast().map { "x\($0)" }.joined(separator: ",") + ")"
    }

    /// The first row (run of `childCardinality` entries) whose sum is not 1 within `bayesTolerance`
    /// per entry, with that sum; nil when every row is normalised.
    static func unnormalisedRow(_ potentials: [Double], childCardinality d: Int) -> (row: Int, sum: Double)? {
        for (row, start) in stride(from: 0, to: potentials.count, by: d).enumerated() {
            let sum = potentials[start ..< start + d].reduce(0, +)
            if !(abs(sum - 1) <= bayesTolerance * Double(d)) { return (row, sum) }
        }
        return nil
    }

    /// The text of a `BAYES` file. Throws `.invalidModel` naming the first factor that is not a CPT
    /// of its last scope variable (empty scope, or a row whose potentials do not sum to 1).
    public static func bayesText(of graph: FactorGraph) throws(MRFError) -> String {
        for (f, factor) in graph.factors.enumerated() {
            guard let d = factor.cardinalities.last else {
                throw .invalidModel("factor \(f) has an empty scope; a BAYES network needs every factor to be a CPT P(child | parents)")
            }
            if let bad = unnormalisedRow(factor.energies.map(potential(ofEnergy:)), childCardinality: d) {
                throw .invalidModel("factor \(f) is not a CPT \(cptName(factor.scope)): row \(bad.row) sums to \(String(format: "%.9g", bad.sum)); write the model as MARKOV")
            }
        }
        return "BAYES" + text(of: graph).dropFirst("MARKOV".count)
    }

    /// The text of a `MARKOV` file; potentials are written as exp(−θ) in shortest round-trip form.
    public static func text(of graph: FactorGraph) -> String {
        var out = "MARKOV\n\(graph.variableCount)\n"
        out += graph.cardinalities.map(String.init).joined(separator: " ") + "\n\(graph.factors.count)\n"
        for factor in graph.factors { out += ([factor.scope.count] + factor.scope).map(String.init).joined(separator: " ") + "\n" }
        for factor in graph.factors {
            out += "\n\(factor.energies.count)\n"
            let width = factor.cardinalities.last ?? 1
            for start in stride(from: 0, to: factor.energies.count, by: width) {
                out += factor.energies[start ..< start + width].map { "\(potential(ofEnergy: $0))" }.joined(separator: " ") + "\n"
            }
        }
        return out
    }
}
