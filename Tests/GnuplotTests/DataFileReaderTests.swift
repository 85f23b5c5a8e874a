import Foundation
import Gnuplot
import Testing

@Suite("Reading data files back")
struct DataFileReaderTests {
    @Test("a data file parses back to the value that wrote it: header, columns with units, datasets, blocks, missing values")
    func roundTrip() throws {
        let file = DataFile(name: "trace", columns: [DataColumn("iteration"), DataColumn("loss", unit: "nats"), DataColumn("beta")],
                            provenance: Provenance(command: "pmf train --arch lenet300", seed: 7, version: "PMFKit test"),
                            datasets: [NamedDataset(name: "first", rows: [[0, 2.5, 1], [10, .nan, 1.2]]),
                                       NamedDataset(name: "second", blocks: [[[1, 2, 3]], [[4, 5, 6], [7, 8, 9]]])])
        let parsed = try DataFile(parsing: try file.text(), source: "trace.dat")
        #expect(parsed.name == file.name && parsed.columns == file.columns && parsed.provenance == file.provenance)
        #expect(parsed.datasets.map(\.name) == ["first", "second"] && parsed.datasets[1].blocks.count == 2)
        #expect(try parsed.values(of: "loss")[1].isNaN && parsed.values(of: "beta", inDatasetAt: 1) == [3, 6, 9])
        #expect(try parsed.text() == file.text())
    }

    @Test("a ragged row names the file and line; a missing column lists the columns there are")
    func errors() throws {
        let text = "# [column 1] a\n# [column 2] b\n# data\n1 2\n3\n"
        #expect { try DataFile(parsing: text, source: "bad.dat") } throws: { "\($0)".hasPrefix("bad.dat:5:") }
        let file = try DataFile(parsing: "# [column 1] a\n# [column 2] b\n# data\n1 2\n", source: "ok.dat")
        #expect { try file.values(of: "c", source: "ok.dat") } throws: { "\($0)" == "ok.dat: no column \"c\"; it has a, b" }
        #expect(throws: GnuplotError.self) { try DataFile(contentsOf: URL(fileURLWithPath: "/no/such/file.dat")) }
    }
}
