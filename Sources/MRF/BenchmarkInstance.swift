import Foundation

/// One model of a benchmark folder with what lies beside it in the UAI 2014 convention: the model
/// file `NAME.uai` (`MARKOV` or `BAYES`) or `NAME.fg`, its evidence `NAME.uai.evid` when present,
/// and its reference answers `NAME.uai.PR`, `.MAR`, `.MPE` (`UAIAnswers`).
public struct BenchmarkInstance: Sendable {
    /// The model file's name (`grid.uai`), which names the instance in reports.
    public let name: String
    /// The model file's path.
    public let path: String
    /// The model conditioned on its evidence (no evidence when there is no `.evid` file), exactly
    /// as `pmf mrf solve --evidence` conditions it.
    public let conditioned: ConditionedGraph
    /// The reference answers, checked against the model and the evidence.
    public let answers: UAIAnswers

    /// Reads the model at `path`, its evidence `path.evid` if that file exists, and the answer files.
    /// - Throws: `MRFError` naming the file, the field and the value for anything malformed, evidence
    ///   that does not fit the model or has probability zero, or answers that do not fit it.
    public init(model path: String) throws(MRFError) {
        let graph = try ModelFile.read(path)
        let evidencePath = Self.evidencePath(model: path)
        let evidence = FileManager.default.fileExists(atPath: evidencePath) ? try Evidence.read(evidencePath) : .none
        self.name = (path as NSString).lastPathComponent
        self.path = path
        self.conditioned = try ConditionedGraph(graph, evidence: evidence)
        self.answers = try UAIAnswers.read(model: path, graph: graph, evidence: evidence)
    }

    /// An instance whose answers come from elsewhere than files (exact inference, tests).
    /// - Precondition: `answers` fit `conditioned.original` (one row and one label per variable).
    public init(name: String, path: String, conditioned: ConditionedGraph, answers: UAIAnswers) {
        (self.name, self.path, self.conditioned, self.answers) = (name, path, conditioned, answers)
    }

    /// `path.evid`, the evidence file beside a model.
    public static func evidencePath(model path: String) -> String { "\(path).evid" }

    /// Whether at least one answer file (`.PR`, `.MAR` or `.MPE`) lies beside the model at `path`.
    public static func hasAnswers(model path: String) -> Bool {
        UAIOutput.Task.allCases.contains { FileManager.default.fileExists(atPath: UAIAnswers.path(of: $0, model: path)) }
    }

    /// The model files of `folder` (names ending in `.uai` or `.fg`, any case, not hidden), as paths
    /// in name order. Sub-folders are not searched.
    /// - Throws: `.io` when the folder cannot be listed.
    public static func modelFiles(in folder: String) throws(MRFError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw .io("cannot list the benchmark folder \(folder); check that it exists and is a readable directory")
        }
        return names.filter { name in
            !name.hasPrefix(".") && ["uai", "fg"].contains((name as NSString).pathExtension.lowercased())
        }.sorted().map { (folder as NSString).appendingPathComponent($0) }
    }
}
