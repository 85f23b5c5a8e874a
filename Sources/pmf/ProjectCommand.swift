import ArgumentParser
import Simplex

/// `pmf project`: projects one row ũ onto the simplex and prints u, w = u·q and H(u).
struct Project: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Project one row ũ onto the simplex; print u, w = u·q and the entropy of u.",
        discussion: "Put the row after `--` so that negative numbers are read as values: pmf project --beta 2 -- -0.3 0.8"
    )

    @Option(help: "softmax, sparsemax or hardmax.") var projection: ProjectionKind = .softmax
    @Option(help: "Inverse temperature β > 0; multiplies ũ for softmax and sparsemax.") var beta: Double = 1
    @Option(help: "Level set: binary, ternary, kN (e.g. k4) or a list like -1,0,1.") var levels = "binary"
    @Flag(help: "Print one JSON object {\"u\": [...], \"w\": x, \"entropy\": h}.") var json = false
    @Argument(help: "The entries of ũ, one per level.") var values: [String] = []

    struct Output: Encodable { let u: [Double]; let w: Double; let entropy: Double }

    func run() throws {
        guard beta > 0, beta.isFinite else { throw CommandError("--beta must be a positive finite number, got \(beta)") }
        let q = try QuantizationLevels(name: levels)
        let row = try values.map { text in
            guard let v = Double(text), v.isFinite else { throw CommandError("'\(text)' is not a finite number") }
            return v
        }
        guard row.count == q.count else {
            throw CommandError("ũ has \(row.count) entries but the level set \(q) has \(q.count); give one value per level")
        }
        let u = projection(beta: beta)(row)
        let output = Output(u: u, w: q.lift(u), entropy: entropy(u))
        if json {
            try printJSON(output)
        } else {
            print("levels   q = \(q)")
            print("u        = [\(u.map { "\($0)" }.joined(separator: ", "))]")
            print("w = u·q  = \(output.w)")
            print("H(u)     = \(output.entropy)")
        }
    }
}

extension ProjectionKind: ExpressibleByArgument {}
