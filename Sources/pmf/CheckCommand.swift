import ArgumentParser
import Foundation
import Theorems

/// `pmf check`: numerical checks of the paper's statements, one row each.
struct CheckStatements: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the paper's statements numerically; exit non-zero if any check fails.",
        discussion: "Checks: \(allChecks().map(\.name).joined(separator: ", ")).")

    @Argument(help: "Checks to run (default: all).") var names: [String] = []
    @Option(help: "Random trials per check.") var trials = defaultCheckTrials
    @Option var seed = defaultCheckSeed
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
        let outcomes = try runChecks(selected, trials: trials, seed: seed, evidenceFolder: out.map { URL(fileURLWithPath: $0, isDirectory: true) })
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
}
