import Figures
import Foundation
import Gnuplot
import Testing

@Suite("Reading data files and traces")
struct TraceReaderTests {
    @Test("a data file parses back to the value that wrote it", arguments: TraceFormat.allCases)
    func roundTrip(format: TraceFormat) throws {
        var file = format.trace()
        file.datasets.append(NamedDataset(name: "second", blocks: [[[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].prefix(format.columns.count).map { $0 }],
                                                                    [[Double](repeating: 0.5, count: format.columns.count)]]))
        let parsed = try DataFile(parsing: try file.text(), source: "trace.dat")
        #expect(parsed.name == file.name)
        #expect(parsed.columns == file.columns)
        #expect(parsed.provenance == file.provenance)
        #expect(parsed.datasets.map(\.name) == file.datasets.map(\.name))
        #expect(try parsed.text() == file.text())
    }

    @Test("both trace formats give epoch, loss and the quantized validation accuracy by column name")
    func bothFormats() throws {
        let floatOnly = try TrainingTrace(TraceFormat.floatOnly.trace(), source: "a/trace.dat")
        #expect(floatOnly.accuracyColumn == "validation_accuracy")
        #expect(floatOnly.epochs == [0.5, 1, 1.5, 2, 2.5, 3])
        #expect(floatOnly.accuracyPoints.map(\.epoch) == [1, 2, 3])

        let quantized = try TrainingTrace(TraceFormat.quantized.trace(), source: "b/trace.dat")
        #expect(quantized.accuracyColumn == "validation_accuracy_quantized")
        #expect(quantized.accuracyPoints.count == 6)
        #expect(quantized.loss == floatOnly.loss)
        #expect(quantized.validationAccuracy[1] == floatOnly.validationAccuracy[1])
    }

    @Test("a trace without an accuracy column is a one-line error naming the file and its columns")
    func missingColumn() throws {
        var file = TraceFormat.floatOnly.trace()
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

    @Test("results.json of either build gives the quantized test accuracy")
    func results() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let main = folder.appendingPathComponent("main.json"), quant = folder.appendingPathComponent("quant.json")
        try Data(#"{"epochs": 3, "test_accuracy": 0.8, "train_size": 500}"#.utf8).write(to: main)
        try Data(#"{"epochs": 3, "test_accuracy": 0.7, "test_accuracy_quantized": 0.75, "test_accuracy_fractional": 0.9}"#.utf8).write(to: quant)
        #expect(try RunResult(contentsOf: main) == RunResult(testAccuracy: 0.8, epochs: 3, trainSize: 500))
        #expect(try RunResult(contentsOf: quant).testAccuracy == 0.75)
    }
}
