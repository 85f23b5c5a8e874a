import Foundation
@testable import Benchmarks
import NeuralNet
import Testing

/// Reading the PyTorch anchor's output lines, and running a stand-in for it.
@Suite struct TorchAnchorTests {
    @Test func eachLineIsOneSpeedOverTheReportedEpoch() throws {
        let output = """
        {"method": "REF", "sec_per_epoch": 2.5, "samples_per_s": 512.0, "peak_rss_bytes": 104857600, "test_accuracy": null}
        {"method": "PMF", "sec_per_epoch": 3.0, "samples_per_s": 400, "peak_rss_bytes": 2048, "test_accuracy": 0.81}

        """
        let speeds = try TorchAnchor.speeds(parsing: output, arch: "vgg16", epochImages: 50_000, source: "anchor.py")
        #expect(speeds.map(\.method) == ["REF", "PMF"])
        #expect(speeds.allSatisfy { $0.engine == .pytorch && $0.arch == "vgg16" && $0.gemmFloorSeconds == nil })
        #expect(speeds.map(\.samplesPerSecond) == [512, 400])
        // s/epoch is the reported epoch's images over the rate, not the script's own sec_per_epoch.
        #expect(speeds.map(\.secondsPerEpoch) == [97.65625, 125])
        #expect(speeds.map(\.peakMemoryBytes) == [104_857_600, 2048])
    }

    @Test func aLineThatDoesNotParseIsNamed() {
        let output = "{\"method\": \"REF\", \"samples_per_s\": 1, \"peak_rss_bytes\": 1}\nTraceback (most recent call last):\n"
        #expect(throws: BenchmarkError("anchor.py output line 2: expected {\"method\", \"samples_per_s\" > 0, \"peak_rss_bytes\"}, found 'Traceback (most recent call last):'")) {
            try TorchAnchor.speeds(parsing: output, arch: "mlp", epochImages: 10, source: "anchor.py")
        }
        #expect(throws: BenchmarkError.self) {
            try TorchAnchor.speeds(parsing: "{\"method\": \"REF\", \"samples_per_s\": 0, \"peak_rss_bytes\": 1}", arch: "mlp", epochImages: 10, source: "a")
        }
    }

    /// A shell script standing in for `python`: prints one line per method it is asked for, with
    /// the thread count it was given as peak memory, or fails.
    func fakeInterpreter(failing: Bool = false) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fake-python-\(UUID().uuidString)").path
        let script = failing ? "#!/bin/sh\nexit 3\n" : """
        #!/bin/sh
        while [ $# -gt 0 ]; do case "$1" in --methods) methods="$2";; --threads) threads="$2";; esac; shift; done
        for m in $(echo "$methods" | tr ',' ' '); do
          echo "{\\"method\\": \\"$m\\", \\"samples_per_s\\": 100, \\"peak_rss_bytes\\": $threads}"
        done
        """
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    @Test func theAnchorIsAskedOnlyForTheMethodsItKnows() throws {
        let python = try fakeInterpreter()
        defer { try? FileManager.default.removeItem(atPath: python) }
        let workload = try TrainingWorkload(.resnetTiny, epochs: 1, images: 128, dataFolder: nil)
        let anchor = TorchAnchor(python: python, script: "anchor.py")
        let speeds = try anchor.speeds(.resnetTiny, on: workload, methods: ["REF", "PGD", "PMF"])
        #expect(speeds.map(\.method) == ["REF", "PMF"])
        #expect(speeds.map(\.secondsPerEpoch) == [500, 500])  // CIFAR's 50 000 images at 100/s
        #expect(try anchor.speeds(.resnetTiny, on: workload, methods: ["PGD"]).isEmpty)
    }

    @Test func aFailingAnchorIsAnError() throws {
        let python = try fakeInterpreter(failing: true)
        defer { try? FileManager.default.removeItem(atPath: python) }
        let workload = try TrainingWorkload(.resnetTiny, epochs: 1, images: 128, dataFolder: nil)
        #expect(throws: BenchmarkError("\(python) anchor.py failed with status 3")) {
            try TorchAnchor(python: python, script: "anchor.py").speeds(.resnetTiny, on: workload, methods: ["REF"])
        }
    }
}
