import Foundation
import Quantization
import Testing

@Suite struct RunReportTests {
    let report = RunReport(arch: "lenet300", method: "pmf[rho=1.2,every=100,cap=10000,jacobian=reference]", levels: [-1, 1],
                           dataset: "fashion-mnist", seed: 3, epochs: 2, testAccuracy: 0.8125, testAccuracyFractional: 0.84,
                           bestValidationAccuracy: 0.83, bestEpoch: 2, bestIteration: 180, seconds: 12.5, samplesPerSecond: 1600,
                           trainSize: 9000, validationSize: 10_000, testSize: 10_000, resumedFromIteration: 100,
                           compressionRatio: nil, version: "0.1.0")

    @Test func aWrittenReportReadsBackEqualUnderItsSnakeCaseKeys() throws {
        let folder = temporaryFolder("report")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try report.write(to: folder)
        #expect(try RunReport(contentsOf: folder) == report)
        #expect(try RunReport(contentsOf: folder.appendingPathComponent(RunReport.fileName)) == report)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("results.json"))) as? [String: Any])
        #expect(object["test_accuracy"] as? Double == 0.8125 && object["test_accuracy_quantized"] as? Double == 0.8125)
        #expect(object["best_validation_accuracy"] as? Double == 0.83 && object["resumed_from_iteration"] as? Int == 100)
        #expect(object["compression_ratio"] == nil && object["train_size"] as? Int == 9000)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(leftovers == ["results.json"])
    }

    @Test func aMalformedReportIsAOneLineErrorNamingTheFile() throws {
        let folder = temporaryFolder("bad-report")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("results.json")
        for (text, problem) in [(#"{"epochs": 3, "test_accuracy": 0.8}"#, "no \"arch\""), ("{\"arch\": ", "not valid JSON"),
                                (String(decoding: try report.encoded(), as: UTF8.self).replacingOccurrences(of: "\"seed\" : 3", with: "\"seed\" : \"three\""),
                                 "\"seed\" has the wrong type")] {
            try Data(text.utf8).write(to: file)
            let message = throwsMessage(containing: [file.path + ": ", problem]) { _ = try RunReport(contentsOf: folder) }
            #expect(message?.hasPrefix("MISMATCH") == false && message?.contains("\n") == false, "\(message ?? "no error")")
        }
        try FileManager.default.removeItem(at: file)
        #expect(throwsMessage(containing: [file.path + ": missing"]) { _ = try RunReport(contentsOf: folder) }?.hasPrefix("MISMATCH") == false)
    }
}
