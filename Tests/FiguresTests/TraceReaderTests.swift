import Figures
import Foundation
import Gnuplot
import Testing

@Suite("Reading data files and traces")
struct TraceReaderTests {
    @Test("a data file parses back to the value that wrote it")
    func roundTrip() throws {
        var file = syntheticTraceFile()
        file.datasets.append(NamedDataset(name: "second", blocks: [[[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]],
                                                                    [[Double](repeating: 0.5, count: file.columns.count)]]))
        let parsed = try DataFile(parsing: try file.text(), source: "trace.dat")
        #expect(parsed.name == file.name)
        #expect(parsed.columns == file.columns)
        #expect(parsed.provenance == file.provenance)
        #expect(parsed.datasets.map(\.name) == file.datasets.map(\.name))
        #expect(try parsed.text() == file.text())
    }

    @Test("a trace gives epoch, loss and the quantized validation accuracy by column name")
    func columns() throws {
        let trace = try TrainingTrace(syntheticTraceFile(), source: "b/trace.dat")
        let rows = syntheticTrace()
        #expect(trace.epochs == [0.5, 1, 1.5, 2, 2.5, 3])
        #expect(trace.loss == rows.map(\.loss) && trace.validationAccuracy == rows.map { $0.validationAccuracy! })
        #expect(trace.accuracyPoints.count == 6)
    }

    @Test("a trace without an accuracy column is a one-line error naming the file and its columns")
    func missingColumn() throws {
        var file = syntheticTraceFile()
        file.columns[5] = DataColumn("something_else")
        #expect {
            try TrainingTrace(file, source: "runs/x/trace.dat")
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("runs/x/trace.dat:") && text.contains("something_else") && !text.contains("\n")
        }
    }

    @Test("a ragged row names the file and line")
    func raggedRow() {
        let text = "# [column 1] a\n# [column 2] b\n# data\n1 2\n3\n"
        #expect { try DataFile(parsing: text, source: "bad.dat") } throws: { "\($0)".hasPrefix("bad.dat:5:") }
    }
}
