import Foundation
import Support

/// Reading and writing model files, the format chosen by the extension: `.uai` (UAI `MARKOV`) or
/// `.fg` (libDAI).
public enum ModelFile {
    /// The model in `path`. Throws `.io` when the file cannot be read or has another extension, and
    /// `.malformedFile` (naming file and line) when its contents do not parse.
    public static func read(_ path: String) throws(MRFError) -> FactorGraph {
        let format = try formatOf(path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .io("cannot read \(path); check that the file exists and is readable")
        }
        let tokens = TokenReader(bytes: [UInt8](data), file: path)
        let graph = format == "uai" ? try UAIFormat.parseNetwork(tokens).graph : try FGFormat.parse(tokens)
        try checkSize(graph, file: path)
        return graph
    }

    /// The most labels (Σ dᵢ over the variables) of a model read from a file: the solvers keep
    /// several arrays of that length, so a short file declaring thousands of variables of
    /// cardinality 2²⁰ would otherwise ask for tens of gigabytes.
    public static let maximumLabels = 1 << 26

    /// Throws `.tooLarge`, naming `file`, the variable count and the label total, when `graph` has
    /// more than `maximumLabels` labels.
    public static func checkSize(_ graph: FactorGraph, file: String) throws(MRFError) {
        var labels = 0  // at most 10⁸ variables of cardinality ≤ 2²⁰ (the readers' limits): no overflow
        for (variable, cardinality) in graph.cardinalities.enumerated() {
            labels += cardinality
            guard labels <= maximumLabels else {
                throw .tooLarge("\(file): the model's \(graph.cardinalities.count) variables have more than \(maximumLabels) labels in all (reached at variable \(variable), cardinality \(cardinality)); the solvers would need gigabytes")
            }
        }
    }

    /// Writes `graph` to `path` in the format of its extension, through a temporary file and a rename,
    /// so that a failure never leaves a half-written file.
    public static func write(_ graph: FactorGraph, to path: String) throws(MRFError) {
        let text = try formatOf(path) == "uai" ? UAIFormat.text(of: graph) : FGFormat.text(of: graph)
        do { try writeAtomically(text, to: URL(fileURLWithPath: path)) } catch { throw .io(error.description) }
    }

    private static func formatOf(_ path: String) throws(MRFError) -> String {
        let ext = (path as NSString).pathExtension.lowercased()
        guard ext == "uai" || ext == "fg" else {
            throw .io("\(path): unknown model format '.\(ext)'; use a .uai or .fg file name")
        }
        return ext
    }
}
