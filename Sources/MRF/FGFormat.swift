import RealModule

/// libDAI's factor-graph format (`.fg`): the number of factors, then per factor its number of
/// variables, their labels, their cardinalities, the number of listed entries and `index value`
/// pairs. The table index runs with the *first* variable fastest; entries not listed are 0
/// (infinite energy); scopes need not be sorted. Variable labels are mapped to indices 0 … n−1 in
/// increasing order (a file whose labels are 0 … n−1 keeps them).
public enum FGFormat {
    /// The most entries one factor's table may have (2²⁴): `.fg` files list only the non-zero
    /// entries, so the table size is not bounded by the file's length, and the reader allocates it.
    public static let maximumTableSize = 1 << 24

    /// Parses a `.fg` file's text; `file` names it in error messages.
    public static func parse(_ text: String, file: String) throws(MRFError) -> FactorGraph {
        try parse(TokenReader(text: text, file: file))
    }

    /// Parses the tokens of a `.fg` file.
    static func parse(_ tokens: TokenReader) throws(MRFError) -> FactorGraph {
        var reader = tokens
        let file = reader.file
        let count = try reader.integer("the number of factors (an integer ≥ 0)")
        var raw: [(labels: [Int], cards: [Int], energies: [Double])] = []
        var cardinalityOf: [Int: (card: Int, line: Int)] = [:]
        for f in 0 ..< count {
            let arity = try reader.integer("the number of variables of factor \(f)", in: 0 ... 1 << 20)
            var labels: [Int] = []
            let labelLine = reader.line
            for _ in 0 ..< arity { labels.append(try reader.integer("a variable label of factor \(f) (an integer ≥ 0)")) }
            guard !repeatsAnElement(labels) else {
                throw .malformedFile(file: file, line: labelLine, expected: "distinct variable labels in factor \(f)", found: "\(labels)")
            }
            var cards: [Int] = []
            for label in labels {
                let line = reader.line
                let card = try reader.integer("the cardinality of variable \(label) in factor \(f) (a positive integer)", in: 1 ... 1 << 20)
                if let known = cardinalityOf[label] {
                    guard known.card == card else {
                        throw .malformedFile(file: file, line: line, expected: "cardinality \(known.card) for variable \(label) (as on line \(known.line))", found: "\(card)")
                    }
                } else {
                    cardinalityOf[label] = (card, line)
                }
                cards.append(card)
            }
            let size = try reader.tableSize(cards, of: "factor \(f)", limit: maximumTableSize)
            let entries = try reader.integer("the number of listed entries of factor \(f) (0 … \(size))", in: 0 ... size)
            // File index: first variable fastest; Factor index: last variable fastest. Unlisted entries are ψ = 0.
            let rowMajor = rowMajorIndices(cardinalities: cards)
            var energies = [Double](repeating: .infinity, count: size)
            for _ in 0 ..< entries {
                let index = try reader.integer("an entry index of factor \(f) (0 … \(size - 1))", in: 0 ... size - 1)
                energies[rowMajor[index]] = energy(ofPotential: try reader.potential("a potential ≥ 0 of factor \(f)"))
            }
            raw.append((labels, cards, energies))
        }
        try reader.expectEnd()
        let sortedLabels = cardinalityOf.keys.sorted()
        guard !sortedLabels.isEmpty else {
            throw .malformedFile(file: file, line: reader.line, expected: "at least one factor with a variable", found: "none")
        }
        // Labels 0 … n−1 (the usual case) are their own indices; others go through a dictionary.
        let identity = sortedLabels.last! == sortedLabels.count - 1
        let indexOf = identity ? [:] : Dictionary(uniqueKeysWithValues: sortedLabels.enumerated().map { ($1, $0) })
        let factors = raw.map { factor in
            Factor(unchecked: identity ? factor.labels : factor.labels.map { indexOf[$0]! }, cardinalities: factor.cards, energies: factor.energies)
        }
        return FactorGraph(unchecked: sortedLabels.map { cardinalityOf[$0]!.card }, factors: factors)
    }

    /// The text of a `.fg` file: variables labelled by their indices, zero potentials omitted, and a
    /// constant unary factor added for any variable no factor mentions (so that it is not lost).
    public static func text(of graph: FactorGraph) -> String {
        var mentioned = [Bool](repeating: false, count: graph.variableCount)
        for factor in graph.factors { for v in factor.scope { mentioned[v] = true } }
        let padding = mentioned.indices.filter { !mentioned[$0] }.map {
            Factor(unchecked: [$0], cardinalities: [graph.cardinalities[$0]],
                   energies: [Double](repeating: 0, count: graph.cardinalities[$0]))
        }
        let factors = graph.factors + padding
        var out = "\(factors.count)\n"
        for factor in factors {
            out += "\n\(factor.scope.count)\n"
            out += factor.scope.map(String.init).joined(separator: " ") + "\n"
            out += factor.cardinalities.map(String.init).joined(separator: " ") + "\n"
            var lines: [String] = []
            for (fileIndex, index) in rowMajorIndices(cardinalities: factor.cardinalities).enumerated() {
                let p = potential(ofEnergy: factor.energies[index])
                if p > 0 { lines.append("\(fileIndex) \(p)") }
            }
            out += "\(lines.count)\n" + lines.map { $0 + "\n" }.joined()
        }
        return out
    }

    /// For every file index (first variable fastest) the `Factor` index (last variable fastest) of
    /// the same joint label: entry x sits at Σ_t x_t·Π_{s<t} d_s in the file and at
    /// Σ_t x_t·Π_{s>t} d_s in the factor. Walks the labels as an odometer, first digit fastest.
    static func rowMajorIndices(cardinalities: [Int]) -> [Int] {
        let size = cardinalities.reduce(1, *)
        guard cardinalities.count > 1 else { return Array(0 ..< size) }
        var strides = [Int](repeating: 1, count: cardinalities.count)
        for t in stride(from: cardinalities.count - 2, through: 0, by: -1) { strides[t] = strides[t + 1] * cardinalities[t + 1] }
        var labels = [Int](repeating: 0, count: cardinalities.count)
        var indices = [Int](repeating: 0, count: size)
        var index = 0
        for fileIndex in 0 ..< size {
            indices[fileIndex] = index
            for t in cardinalities.indices {
                labels[t] += 1
                index += strides[t]
                if labels[t] < cardinalities[t] { break }
                index -= labels[t] * strides[t]
                labels[t] = 0
            }
        }
        return indices
    }

    /// Whether `labels` lists some label twice (pairwise comparison for the short scopes of real
    /// files, a set beyond).
    private static func repeatsAnElement(_ labels: [Int]) -> Bool {
        guard labels.count > 8 else {
            return labels.indices.contains { t in labels[..<t].contains(labels[t]) }
        }
        return Set(labels).count != labels.count
    }
}
