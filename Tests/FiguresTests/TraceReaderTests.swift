import Figures
import Foundation
import Gnuplot
import Testing

@Suite("Reading training traces")
struct TraceReaderTests {
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
}
