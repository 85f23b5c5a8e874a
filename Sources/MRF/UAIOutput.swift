import Foundation
import RealModule
import Support

/// The result files of the UAI 2014 inference competition: the first line names the task, the rest
/// is one solution (a file may hold several, each after a `-BEGIN-` line; readers take the last).
///
/// - `PR`: log₁₀ Z (with evidence, log₁₀ of the evidence-restricted sum).
/// - `MAR`: `n d₁ p₁(0) … p₁(d₁−1) d₂ …` — every variable's cardinality and marginal, model order.
/// - `MPE`: `n x₁ … x_n` — a labelling of every variable.
///
/// The competition names each file after the model file with the task appended (`grid.uai.MAR`).
public enum UAIOutput {
    /// A task of the competition.
    public enum Task: String, CaseIterable, Sendable { case pr = "PR", mar = "MAR", mpe = "MPE" }

    /// `PR` and log₁₀ Z from the natural log Z.
    public static func prText(logZ: Double) -> String {
        "PR\n\(number(logZ / Double.log(10)))\n"
    }

    /// `MAR` and the marginals, all on one line after the task.
    public static func marText(_ marginals: [[Double]]) -> String {
        "MAR\n" + ([String(marginals.count)] + marginals.flatMap { [String($0.count)] + $0.map(number) }).joined(separator: " ") + "\n"
    }

    /// `MPE` and the labelling.
    public static func mpeText(_ labels: [Int]) -> String {
        "MPE\n" + ([labels.count] + labels).map(String.init).joined(separator: " ") + "\n"
    }

    /// The text of each task for one result (log Z, marginals and labelling of the whole model).
    public static func texts(for result: SolverResult) -> [(task: Task, text: String)] {
        [(.pr, prText(logZ: result.logZ)), (.mar, marText(result.marginals)), (.mpe, mpeText(result.labels))]
    }

    /// Writes `<directory>/<modelName>.PR`, `.MAR` and `.MPE` for `result`, each through a temporary
    /// file and a rename; creates the directory. Returns the paths written.
    @discardableResult
    public static func write(_ result: SolverResult, modelName: String, to directory: String) throws(MRFError) -> [String] {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .io("cannot create the UAI output directory \(directory); check the path and permissions")
        }
        var paths: [String] = []
        for (task, text) in texts(for: result) {
            let path = (directory as NSString).appendingPathComponent("\(modelName).\(task.rawValue)")
            do { try writeAtomically(text, to: URL(fileURLWithPath: path)) } catch { throw .io(error.description) }
            paths.append(path)
        }
        return paths
    }

    /// log₁₀ Z from a `PR` file's text.
    public static func parsePR(_ text: String, file: String) throws(MRFError) -> Double {
        var reader = try solution(text, file: file, task: .pr)
        let token = try reader.word("log10 Z (a number)")
        guard let value = Double(token) ?? (token == "-inf" ? -.infinity : nil), !value.isNaN else {
            throw .malformedFile(file: file, line: reader.line, expected: "log10 Z (a number)", found: "'\(token)'")
        }
        try reader.expectEnd()
        return value
    }

    /// The marginals of a `MAR` file's text.
    public static func parseMAR(_ text: String, file: String) throws(MRFError) -> [[Double]] {
        var reader = try solution(text, file: file, task: .mar)
        let n = try reader.integer("the number of variables (an integer ≥ 0)", in: 0 ... 100_000_000)
        var marginals: [[Double]] = []
        for i in 0 ..< n {
            let d = try reader.integer("the cardinality of variable \(i) (a positive integer)", in: 1 ... 1 << 20)
            var row: [Double] = []
            for a in 0 ..< d { row.append(try reader.potential("P(x\(i) = \(a)), a number ≥ 0")) }
            marginals.append(row)
        }
        try reader.expectEnd()
        return marginals
    }

    /// The labelling of an `MPE` file's text.
    public static func parseMPE(_ text: String, file: String) throws(MRFError) -> [Int] {
        var reader = try solution(text, file: file, task: .mpe)
        let n = try reader.integer("the number of variables (an integer ≥ 0)", in: 0 ... 100_000_000)
        var labels: [Int] = []
        for i in 0 ..< n { labels.append(try reader.integer("the label of variable \(i) (an integer ≥ 0)")) }
        try reader.expectEnd()
        return labels
    }

    /// A reader past the task line and past the last `-BEGIN-` line (earlier solutions are blanked so
    /// that line numbers stay those of the file).
    private static func solution(_ text: String, file: String, task: Task) throws(MRFError) -> TokenReader {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let last = lines.lastIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "-BEGIN-" }) {
            for k in lines.indices where k <= last && k > 0 { lines[k] = "" }
        }
        var reader = TokenReader(text: lines.joined(separator: "\n"), file: file)
        let line = reader.line
        let word = try reader.word("the task \(task.rawValue)")
        guard word == task.rawValue else {
            throw .malformedFile(file: file, line: line, expected: "the task \(task.rawValue)", found: "'\(word)'")
        }
        return reader
    }

    /// Shortest round-trip text; `-inf` and `inf` for infinities.
    private static func number(_ x: Double) -> String {
        x.isInfinite ? (x > 0 ? "inf" : "-inf") : "\(x)"
    }
}
