import Foundation
import Quantization
import Yams

/// A sweep file: a base (a preset name or `pmf train` options), fixed options and axes whose
/// cartesian product is the set of runs.
///
/// ```yaml
/// base: mnist-lenet300-pmf        # a preset name, or a mapping such as {arch: mlp, dataset: fashion-mnist}
/// fixed:                          # options every run gets (override the base)
///   epochs: 1
///   limit: 600
/// axes:                           # varied; the last axis changes fastest
///   method: [ref, bc, pmf]
///   rho: [1.02, 1.05, 1.2]        # a method parameter: composed into pmf[rho=1.05]
///   seed: [1, 2, 3]
/// ```
/// The same structure is accepted as JSON (`.json`). Values are kept as the text written in the
/// file, so `1.05` stays `1.05` in ids and argv. Keys are `pmf train` flags without `--`
/// (`TrainKeys.options`) or method parameters (`TrainKeys.methodParameters`).
public struct SweepFile: Equatable, Sendable {
    /// One `key: value` setting.
    public struct Setting: Hashable, Codable, Sendable {
        public var key: String
        public var value: String
        public init(_ key: String, _ value: String) { self.key = key; self.value = value }
    }

    /// One varied key and its values, in file order.
    public struct Axis: Equatable, Sendable {
        public var key: String
        public var values: [String]
        public init(_ key: String, _ values: [String]) { self.key = key; self.values = values }
    }

    /// The base options (a preset name given as `base: NAME` becomes `preset: NAME`).
    public var base: [Setting]
    /// Options every run gets, applied after the base.
    public var fixed: [Setting]
    /// The axes, in file order.
    public var axes: [Axis]

    public init(base: [Setting] = [], fixed: [Setting] = [], axes: [Axis]) {
        self.base = base
        self.fixed = fixed
        self.axes = axes
    }

    /// Reads a `.yaml`/`.yml` or `.json` sweep file.
    /// - Throws: `SweepError` naming the file, line and key.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SweepError("\(path): cannot read the sweep file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw SweepError("\(path): the sweep file is not UTF-8 text") }
        try self.init(text: text, file: path, json: path.lowercased().hasSuffix(".json"))
    }

    /// Parses sweep text; `file` names it in errors; `json` checks JSON syntax first.
    public init(text: String, file: String = "sweep", json: Bool = false) throws {
        if json {
            do { _ = try JSONSerialization.jsonObject(with: Data(text.utf8)) } catch {
                let nsError = error as NSError
                let detail = (nsError.userInfo[NSDebugDescriptionErrorKey] as? String) ?? nsError.localizedDescription
                throw SweepError("\(file): not valid JSON: \(detail)")
            }
        }
        // JSON is YAML too; composing through Yams keeps the key order and the line of every value.
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw Self.describe(error, file: file)
        }
        guard let root, let mapping = root.mapping else {
            throw SweepError(file: file, line: root?.mark?.line, "a sweep file is a mapping with the keys base, fixed and axes")
        }
        var base: [Setting] = [], fixed: [Setting] = [], axes: [Axis] = []
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            let line = keyNode.mark?.line
            guard seen.insert(key).inserted else { throw SweepError(file: file, line: line, "'\(key)' is given twice") }
            switch key {
            case "base":
                if let preset = value.scalar {
                    guard !preset.string.isEmpty else { throw SweepError(file: file, line: line, "base: give a preset name or a mapping of pmf train options") }
                    base = [Setting("preset", preset.string)]
                } else {
                    base = try Self.settings(value, section: "base", file: file)
                }
            case "fixed", "options":
                fixed = try Self.settings(value, section: key, file: file)
            case "axes":
                guard let axesMapping = value.mapping else {
                    throw SweepError(file: file, line: line, "axes must be a mapping of option → list of values, e.g. seed: [1, 2, 3]")
                }
                for (axisKey, list) in axesMapping {
                    let name = try Self.checkedKey(axisKey, section: "axes", file: file)
                    guard !axes.contains(where: { $0.key == name }) else {
                        throw SweepError(file: file, line: axisKey.mark?.line, "axes: '\(name)' is given twice")
                    }
                    guard let sequence = list.sequence else {
                        throw SweepError(file: file, line: list.mark?.line ?? axisKey.mark?.line,
                                         "axes: '\(name)' must be a list of values, e.g. \(name): [\(list.scalar?.string ?? "a"), …]; put a single value under fixed")
                    }
                    guard !sequence.isEmpty else { throw SweepError(file: file, line: axisKey.mark?.line, "axes: '\(name)' has no values") }
                    var values: [String] = []
                    for item in sequence {
                        let text = try Self.value(item, key: name, section: "axes", file: file)
                        guard !values.contains(text) else {
                            throw SweepError(file: file, line: item.mark?.line, "axes: '\(name)' lists \(text) twice")
                        }
                        values.append(text)
                    }
                    axes.append(Axis(name, values))
                }
            default:
                throw SweepError(file: file, line: line, "unknown key '\(key)'; a sweep file has base, fixed and axes")
            }
        }
        for axis in axes {
            if let setting = fixed.first(where: { $0.key == axis.key }) {
                throw SweepError("\(file): '\(axis.key)' is both fixed (\(setting.value)) and an axis; keep one")
            }
        }
        self.init(base: base, fixed: fixed, axes: axes)
    }

    private static func settings(_ node: Node, section: String, file: String) throws -> [Setting] {
        if let scalar = node.scalar, scalar.string.isEmpty || (scalar.style == .plain && node.null != nil) { return [] }
        guard let mapping = node.mapping else {
            throw SweepError(file: file, line: node.mark?.line, "\(section) must be a mapping of pmf train options, e.g. epochs: 1")
        }
        var result: [Setting] = []
        for (keyNode, value) in mapping {
            let key = try checkedKey(keyNode, section: section, file: file)
            guard !result.contains(where: { $0.key == key }) else {
                throw SweepError(file: file, line: keyNode.mark?.line, "\(section): '\(key)' is given twice")
            }
            result.append(Setting(key, try Self.value(value, key: key, section: section, file: file)))
        }
        return result
    }

    private static func checkedKey(_ node: Node, section: String, file: String) throws -> String {
        let key = node.string ?? ""
        let normalized = key.replacingOccurrences(of: "_", with: "-")
        guard TrainKeys.all.contains(normalized) else {
            let hint = normalized == "out" || normalized == "resume" ? " (the sweep sets --out and --resume itself)" : ""
            throw SweepError(file: file, line: node.mark?.line, column: node.mark?.column,
                             "\(section): unknown key '\(key)'\(hint); use pmf train options (\(TrainKeys.options.joined(separator: ", "))) or method parameters (\(TrainKeys.methodParameters.joined(separator: ", ")))")
        }
        return normalized
    }

    private static func value(_ node: Node, key: String, section: String, file: String) throws -> String {
        guard let scalar = node.scalar, !(scalar.style == .plain && node.null != nil), !scalar.string.isEmpty else {
            throw SweepError(file: file, line: node.mark?.line, "\(section): '\(key)' needs a value (a number or a word), not \(node.mapping != nil ? "a mapping" : node.sequence != nil ? "a list" : "nothing")")
        }
        let text = scalar.string
        if let problem = problem(with: text, key: key) { throw SweepError(file: file, line: node.mark?.line, "\(section): \(problem)") }
        return text
    }

    /// What is wrong with `text` as the value of `key`, or nil: a run setting as `pmf train` parses
    /// it (`RunSpec.Overrides.set`), the other keys by their kind of number. A method given without
    /// its parameters is judged once they are composed in.
    private static func problem(with text: String, key: String) -> String? {
        if let setting = RunSpec.Key(flag: key) {
            do { _ = try RunSpec().applying(RunSpec.Overrides().setting(setting, to: text)) } catch { return error.description }
            return nil
        }
        if TrainKeys.integerOptions.contains(key), (Int(text) ?? -1) < 0 { return "'\(key)' must be a whole number ≥ 0, found '\(text)'" }
        if TrainKeys.numberOptions.contains(key), !(Double(text)?.isFinite ?? false) { return "'\(key)' must be a finite number, found '\(text)'" }
        return nil
    }

    /// This sweep with `overrides`, each `KEY=VALUE` (`pmf sweep plan --set`): an axis of that key
    /// becomes the single value, any other key is set in `fixed`. A relative `data` folder is made
    /// absolute against the current folder (where the command was typed), not the sweep file's.
    /// - Throws: `SweepError` naming the override.
    public func overriding(_ overrides: [String]) throws -> SweepFile {
        var copy = self
        for text in overrides {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else { throw SweepError("--set \(text): write KEY=VALUE, e.g. --set epochs=1") }
            let key = parts[0].replacingOccurrences(of: "_", with: "-")
            guard TrainKeys.all.contains(key) else {
                throw SweepError("--set \(text): unknown key '\(parts[0])'; use pmf train options (\(TrainKeys.options.joined(separator: ", "))) or method parameters (\(TrainKeys.methodParameters.joined(separator: ", ")))")
            }
            if let problem = Self.problem(with: parts[1], key: key) { throw SweepError("--set \(text): \(problem)") }
            var value = parts[1]
            if key == "data", !value.hasPrefix("/") {
                value = URL(fileURLWithPath: value, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true))
                    .standardizedFileURL.path
            }
            if let index = copy.axes.firstIndex(where: { $0.key == key }) {
                copy.axes[index].values = [value]
            } else {
                copy.fixed.removeAll { $0.key == key }
                copy.fixed.append(Setting(key, value))
            }
        }
        return copy
    }

    private static func describe(_ error: YamlError, file: String) -> SweepError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let prefix = context.map { "\($0.text) (line \($0.mark.line)): " } ?? ""
            return SweepError(file: file, line: mark.line, column: mark.column, "not valid YAML: \(prefix)\(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return SweepError(file: file, line: context.mark.line, "'\(duplicates.joined(separator: "', '"))' is given twice in \(context.text)")
        default:
            let first = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
            return SweepError("\(file): not valid YAML: \(first)")
        }
    }
}
