import Foundation

/// The one grammar of every spec PMFKit reads and prints — MRF algorithms (`pmf[eta=0.5,beta0=1]`),
/// training methods (`pmf[rho=1.2,every=100]`), learning-rate schedules
/// (`step[every=7000,factor=0.2]`) and the method specs sweeps compose — in libDAI's property-string
/// style: `name` alone, or `name[key=value,key=value]`.
///
/// Whitespace around the name, keys and values is ignored. The name is letters, digits, `-` and `_`;
/// keys are distinct; no key, value or setting may be empty (`pmf[eta=1,]` is an error). What the
/// keys mean and which values they take is for each reader to check.
public struct SpecText: Equatable, Sendable, CustomStringConvertible {
    /// The name before `[`.
    public let name: String
    /// The settings in the order written.
    public let settings: [(key: String, value: String)]

    /// `name[key=value,…]` from its parts (keys distinct).
    public init(name: String, settings: [(key: String, value: String)] = []) {
        self.name = name
        self.settings = settings
    }

    /// Parses `text`; `what` names the kind of spec in errors ("method", "algorithm", "schedule").
    /// - Throws: `SpecError`, one line: `malformed WHAT 'TEXT': the problem; the fix`.
    public init(parsing text: String, what: String) throws(SpecError) {
        func fail(_ problem: String) -> SpecError { SpecError("malformed \(what) '\(text)': \(problem)") }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let open = trimmed.firstIndex(of: "[")
        let name = String(trimmed[..<(open ?? trimmed.endIndex)]).trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw fail("write a name such as pmf, optionally with settings: pmf[rho=1.2,every=100]")
        }
        guard let open else {
            self.init(name: name)
            return
        }
        guard trimmed.last == "]" else { throw fail("no closing ']'; write name[key=value,…]") }
        guard trimmed.filter({ $0 == "[" }).count == 1, trimmed.filter({ $0 == "]" }).count == 1 else {
            throw fail("settings go in one pair of brackets at the end: name[key=value,key=value]")
        }
        let body = trimmed[trimmed.index(after: open) ..< trimmed.index(before: trimmed.endIndex)]
        var settings: [(key: String, value: String)] = []
        if !body.trimmingCharacters(in: .whitespaces).isEmpty {
            for part in body.split(separator: ",", omittingEmptySubsequences: false) {
                let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard pieces.count == 2 else {
                    throw fail(part.trimmingCharacters(in: .whitespaces).isEmpty ? "an empty setting between commas" : "'\(part)' is not key=value")
                }
                let key = pieces[0].trimmingCharacters(in: .whitespaces), value = pieces[1].trimmingCharacters(in: .whitespaces)
                guard !key.isEmpty, !value.isEmpty else { throw fail("'\(part)' has an empty key or value") }
                guard !settings.contains(where: { $0.key == key }) else { throw fail("'\(key)' is given twice") }
                settings.append((key, value))
            }
        }
        self.init(name: name, settings: settings)
    }

    /// `name` alone without settings, else `name[key=value,…]` in the stored order.
    public var description: String {
        settings.isEmpty ? name : name + "[" + settings.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "]"
    }

    /// The value of `key`, if set.
    public func value(_ key: String) -> String? { settings.first { $0.key == key }?.value }

    /// Equal names and equal settings in the same order.
    public static func == (a: SpecText, b: SpecText) -> Bool {
        a.name == b.name && a.settings.map(\.key) == b.settings.map(\.key) && a.settings.map(\.value) == b.settings.map(\.value)
    }
}

/// A spec that does not follow the grammar; the message is one line naming the text and the fix.
public struct SpecError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension SpecText {
    /// The shortest text of a setting's number, as every spec prints it: integers without ".0"
    /// (`cap=10000`), others as Swift prints them (`rho=1.05`).
    public static func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
    }
}
