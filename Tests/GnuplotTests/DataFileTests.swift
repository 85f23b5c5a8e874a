import Foundation
import Gnuplot
import Testing

/// The data-file format: header, separators, names, missing values, precision, determinism.
@Suite struct DataFileTests {
    @Test func textIsExactlyTheDocumentedFormat() throws {
        let file = DataFile(name: "trace", columns: [DataColumn("iteration"), DataColumn("energy", unit: "nats")],
                            provenance: Provenance(command: "pmf mrf --seed 3", seed: 3, version: "PMFKit 0.1.0"),
                            datasets: [NamedDataset(name: "mf", blocks: [[[0, 1.5], [1, 0.25]], [[0, -2]]]),
                                       NamedDataset(name: "pmf", rows: [[0, .nan], [1, .infinity], [2, -.infinity], [3, 0.1]])])
        #expect(try file.text() == """
        # [PMFKit data file] trace.dat
        # [command] pmf mrf --seed 3
        # [seed] 3
        # [version] PMFKit 0.1.0
        # [column 1] iteration
        # [column 2] energy [nats]
        # [missing] NaN
        # mf
        0.0 1.5
        1.0 0.25

        0.0 -2.0


        # pmf
        0.0 NaN
        1.0 NaN
        2.0 NaN
        3.0 0.1

        """)
    }

    @Test func noSeedIsWrittenAsNone() throws {
        let file = DataFile(name: "d", columns: [DataColumn("x")], provenance: Provenance(command: "c", seed: nil, version: "v"),
                            datasets: [NamedDataset(name: "a", rows: [[1]])])
        #expect(try file.text().contains("\n# [seed] none\n"))
    }

    @Test func doublesRoundTripBitForBit() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {  // splitmix64, so the test is deterministic
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var values: [Double] = [0.1, 1 / 3, -0.0, 0, .leastNonzeroMagnitude, .leastNormalMagnitude,
                                .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e16, 123_456_789_012_345_680, .pi, .ulpOfOne]
        while values.count < 2000 {
            let candidate = Double(bitPattern: next())
            if candidate.isFinite { values.append(candidate) }
        }
        let file = DataFile(name: "precision", columns: [DataColumn("a"), DataColumn("b")], provenance: provenance,
                            datasets: [NamedDataset(name: "all", rows: stride(from: 0, to: values.count, by: 2).map { [values[$0], values[$0 + 1]] })])
        let parsed = try file.text().split(separator: "\n").filter { !$0.hasPrefix("#") }
            .flatMap { $0.split(separator: " ") }.map { Double(String($0)) }
        #expect(parsed.count == values.count)
        for (written, read) in zip(values, parsed) {
            #expect(read?.bitPattern == written.bitPattern, "\(written) came back as \(String(describing: read))")
        }
    }

    @Test func rewritingGivesByteIdenticalFilesAndLeavesNoTemporaries() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try Data(contentsOf: trainingCurves().write(in: folder))
        let second = try Data(contentsOf: trainingCurves().write(in: folder))
        #expect(first == second)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["fig2.dat"])
    }

    @Test func datasetNamesThatGnuplotCouldConfuseAreRefused() {
        func file(_ names: [String]) -> DataFile {
            DataFile(name: "d", columns: [DataColumn("x")], provenance: provenance,
                     datasets: names.map { NamedDataset(name: $0, rows: [[1]]) })
        }
        for names in [["train", "train-acc"], ["a", "a"], ["two words"], ["[x]"], ["#x"], [""]] {
            #expect(throws: GnuplotError.self, "\(names)") { try file(names).text() }
        }
        #expect(throws: Never.self) { try file(["train-loss", "train-acc", "test"]).text() }
    }

    @Test func malformedContentIsRefusedWithTheFileAndPlaceNamed() {
        let ragged = DataFile(name: "ragged", columns: [DataColumn("x"), DataColumn("y")], provenance: provenance,
                              datasets: [NamedDataset(name: "a", blocks: [[[1, 2]], [[1, 2], [3]]])])
        #expect(throws: GnuplotError.invalidDataFile("data file ragged.dat: dataset \"a\" block 1 row 1 has 1 values for 2 columns")) {
            try ragged.text()
        }
        let multiline = DataFile(name: "m", columns: [DataColumn("x")],
                                 provenance: Provenance(command: "a\nb", seed: 1, version: "v"),
                                 datasets: [NamedDataset(name: "a", rows: [[1]])])
        #expect(throws: GnuplotError.self) { try multiline.text() }
        let badName = DataFile(name: "../up", columns: [DataColumn("x")], provenance: provenance, datasets: [])
        #expect(throws: GnuplotError.self) { try badName.text() }
    }
}
