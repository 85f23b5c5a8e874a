import Gnuplot
@testable import MRF
import Testing

/// A solver's trace as a gnuplot data file: the one `.dat` format, read back by the one reader.
@Suite struct TraceFileTests {
    @Test func aTraceReadsBackColumnByColumn() throws {
        let points = (0 ..< 4).map { (k: Int) -> TracePoint in
            let x = Double(k)
            let rounded: Double = k == 2 ? .infinity : 3
            let error: Double? = k == 1 ? nil : 0.25
            return TracePoint(iteration: k, expectedEnergy: x / 2, entropy: 1 / (x + 1), logZEstimate: -x, roundedEnergy: rounded,
                              maxChange: 0.1 * x, beta: 1.5, marginalError: error, logZError: 1e-3)
        }
        let trace = Trace(points: points)
        let file = trace.dataFile(name: "0-mf", provenance: Provenance(command: "pmf mrf solve --algo 'mf'", seed: nil, version: "test"))
        let parsed = try DataFile(parsing: try file.text(), source: "0-mf.dat")
        #expect(parsed.columns.map { $0.name } == trace.columns && trace.columns.count == 9)
        #expect(try parsed.values(of: "iteration") == [0, 1, 2, 3] && parsed.values(of: "expected_energy") == [0, 0.5, 1, 1.5])
        #expect(try parsed.values(of: "rounded_energy")[2].isNaN && parsed.values(of: "max_marginal_error")[1].isNaN)
        #expect(try parsed.values(of: "max_marginal_error")[0] == 0.25 && parsed.datasets.map { $0.name } == ["trace"])
        #expect(Trace(points: points.map { var p = $0; (p.marginalError, p.logZError) = (nil, nil); return p }).columns.count == 7)
    }
}
