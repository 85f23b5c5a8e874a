import Foundation
import Gnuplot
import Support

extension CheckEvidence {
    /// The gnuplot data file `NAME.dat` of this evidence, its provenance the `pmf check` command
    /// that reproduces it (`pmf check CHECK --trials TRIALS --seed SEED`).
    public func dataFile(trials: Int, seed: UInt) -> DataFile {
        DataFile(name: name, columns: columns.map { DataColumn($0) },
                 provenance: Provenance(command: "pmf check \(name) --trials \(trials) --seed \(seed)", seed: UInt64(seed), version: toolkitVersion),
                 datasets: datasets.map { NamedDataset(name: $0.name, rows: $0.rows) })
    }
}

/// Runs `checks` in order, each with `trials` trials from its own generator seeded by `seed`, and
/// writes every check's evidence into `evidenceFolder` (created when missing) when one is given.
/// - Throws: `GnuplotError` when an evidence file cannot be written.
public func runChecks(_ checks: [Check], trials: Int, seed: UInt, evidenceFolder: URL?) throws -> [CheckOutcome] {
    if let evidenceFolder { try FileManager.default.createDirectory(at: evidenceFolder, withIntermediateDirectories: true) }
    return try checks.map { check in
        let (outcome, evidence) = check.run(trials: trials, seed: seed)
        if let evidenceFolder { for item in evidence { try item.dataFile(trials: trials, seed: seed).write(in: evidenceFolder) } }
        return outcome
    }
}
