import RealModule

/// The UAI competition format for Markov networks (`MARKOV`): the number of variables, their
/// cardinalities, the factor scopes, then one table of potentials ψ ≥ 0 per factor, the *last*
/// variable of a scope changing fastest (which is `Factor`'s own order).
public enum UAIFormat {
    /// Parses a `MARKOV` file's text; `file` names it in error messages.
    public static func parse(_ text: String, file: String) throws(MRFError) -> FactorGraph {
        var reader = TokenReader(text: text, file: file)
        let firstLine = reader.line
        let type = try reader.word("the network type MARKOV")
        guard type == "MARKOV" else {
            throw .malformedFile(file: file, line: firstLine, expected: "the network type MARKOV (BAYES networks are not supported)",
                                 found: "'\(type)'")
        }
        let n = try reader.integer("the number of variables (a positive integer)", in: 1 ... 100_000_000)
        var cardinalities: [Int] = []
        for i in 0 ..< n { cardinalities.append(try reader.integer("the cardinality of variable \(i) (a positive integer)", in: 1 ... 1 << 20)) }
        let count = try reader.integer("the number of factors (an integer ≥ 0)")
        var scopes: [[Int]] = []
        for f in 0 ..< count {
            let line = reader.line
            let arity = try reader.integer("the number of variables of factor \(f)", in: 0 ... n)
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
            _ = try reader.integer("\(size) (the table size of factor \(f))", in: size ... size)
            var energies: [Double] = []
            energies.reserveCapacity(min(size, reader.remaining))  // a lying size fails at the end of the file
            for _ in 0 ..< size { energies.append(energy(ofPotential: try reader.potential("a potential ≥ 0 of factor \(f)"))) }
            factors.append(Factor(unchecked: scope, cardinalities: cards, energies: energies))
        }
        try reader.expectEnd()
        return FactorGraph(unchecked: cardinalities, factors: factors)
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
