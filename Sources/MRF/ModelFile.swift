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
        let text = String(decoding: data, as: UTF8.self)
        return format == "uai" ? try UAIFormat.parse(text, file: path) : try FGFormat.parse(text, file: path)
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
