import ArgumentParser
import Foundation
import Gnuplot
import Theorems

/// `pmf check`: numerical checks of the paper's statements, one row each.
struct CheckStatements: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the paper's statements numerically; exit non-zero if any check fails.",
        discussion: "Checks: \(allChecks().map(\.name).joined(separator: ", ")).")

    @Argument(help: "Checks to run (default: all).") var names: [String] = []
    @Option(help: "Random trials per check.") var trials = 200
    @Option var seed: UInt = 1
    @Option(help: "Folder for the gnuplot-ready evidence of each check.") var out: String?
    @Flag(help: "Print {\"checks\": [...]} as JSON.") var json = false

    func run() throws {
        let catalogue = allChecks()
        let unknown = names.filter { name in !catalogue.contains { $0.name == name } }
        guard unknown.isEmpty else {
            throw CommandError("unknown check '\(unknown[0])'; known checks: \(catalogue.map(\.name).joined(separator: ", "))")
        }
        guard trials >= 1 else { throw CommandError("--trials must be at least 1") }
        let selected = names.isEmpty ? catalogue : catalogue.filter { names.contains($0.name) }
        var outcomes: [CheckOutcome] = []
        for check in selected {
            let (outcome, evidence) = check.run(trials: trials, seed: seed)
            outcomes.append(outcome)
            if let out { try write(evidence, to: out) }
        }
        if json {
            struct Report: Encodable { let checks: [CheckOutcome] }
            try printJSON(Report(checks: outcomes))
        } else {
            let width = outcomes.map(\.name.count).max() ?? 4
            for o in outcomes {
                let verdict = o.informational ? "info" : (o.passed ? "pass" : "FAIL")
                print(String(format: "%@  %@  trials %5d  max deviation %.3e  tolerance %.0e  %@",
                             verdict, o.name.padding(toLength: width, withPad: " ", startingAt: 0), o.trials,
                             o.maxDeviation, o.tolerance, o.statement))
            }
        }
        if outcomes.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }

    private func write(_ evidence: [Evidence], to folder: String) throws {
        let directory = URL(fileURLWithPath: folder, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for item in evidence {
            _ = try DataFile(name: item.name, columns: item.columns.map { DataColumn($0) },
                             provenance: Provenance(command: "pmf check \(item.name) --trials \(trials) --seed \(seed)",
                                                    seed: UInt64(seed), version: toolkitVersion),
                             datasets: item.datasets.map { NamedDataset(name: $0.name, rows: $0.rows) }).write(in: directory)
        }
    }
}
