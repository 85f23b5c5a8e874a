import Foundation
import NeuralNet
import Quantization
import Simplex
import Sweep
import Testing

/// Ten classes of `side`×`side` grey images: class c lights a 2-pixel-high band at row c mod side
/// (plus noise), so a small network learns it in a few epochs.
func syntheticImages(_ n: Int, side: Int = 8, seed: UInt) -> (pixels: [UInt8], labels: [UInt8]) {
    let random = RandomSource(seed: seed)
    var pixels: [UInt8] = [], labels: [UInt8] = []
    for _ in 0 ..< n {
        let label = random.integer(below: 10)
        let band = (label * side) / 10
        for y in 0 ..< side {
            for _ in 0 ..< side {
                let base = (y == band || y == (band + 1) % side) ? 180.0 : 30.0
                pixels.append(UInt8(max(0, min(255, base + random.gaussian(sigma: 40)))))
            }
        }
        labels.append(UInt8(label))
    }
    return (pixels, labels)
}

/// The same data as a `Dataset`, normalised like the IDX reader would (÷255, then centred).
func syntheticDataset(_ n: Int, side: Int = 8, seed: UInt) -> Dataset {
    let (pixels, labels) = syntheticImages(n, side: side, seed: seed)
    return Dataset(images: pixels.map { (Float($0) / 255 - 0.35) / 0.3 }, labels: labels.map(Int32.init),
                   imageShape: [side, side, 1], classes: 10)
}

/// Writes an MNIST-format folder (uncompressed IDX) that `pmf train --dataset mnist --data` reads.
func writeIDXFolder(train: Int, test: Int, side: Int = 8) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pmfkit-idx-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    func bigEndian(_ x: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((x >> $0) & 0xff) } }
    for (prefix, n, seed) in [("train", train, UInt(11)), ("t10k", test, UInt(12))] {
        let (pixels, labels) = syntheticImages(n, side: side, seed: seed)
        try Data([0, 0, 8, 3] + bigEndian(n) + bigEndian(side) + bigEndian(side) + pixels)
            .write(to: folder.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
        try Data([0, 0, 8, 1] + bigEndian(n) + labels).write(to: folder.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
    }
    return folder
}

func temporaryFolder(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("pmfkit-\(name)-\(UUID().uuidString)")
}

/// Runs a program (with `environment` added to this process's); returns its exit status and standard output.
@discardableResult
func runProcess(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws
    -> (status: Int32, output: String, error: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

/// The `pmf` executable built beside this test bundle (the test target depends on it, so SwiftPM
/// builds it before the tests run).
func pmfExecutable() throws -> String {
    let exe = runningExecutable()
    var folder = exe.deletingLastPathComponent()
    // xctest bundles on some layouts sit one or more folders below the build folder.
    for _ in 0 ..< 4 {
        let candidate = folder.appendingPathComponent("pmf").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        folder = folder.deletingLastPathComponent()
    }
    throw QuantizationError("pmf executable not found beside \(exe.path)")
}

func bits(_ arrays: [[Float]]) -> [[UInt32]] { arrays.map { $0.map(\.bitPattern) } }
func bits(_ arrays: [String: [Float]]) -> [String: [UInt32]] { arrays.mapValues { $0.map(\.bitPattern) } }

func throwsMessage(containing fragments: [String], _ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        let message = "\(error)"
        return fragments.allSatisfy { message.lowercased().contains($0.lowercased()) } ? message : "MISMATCH: \(message)"
    }
}

/// The message of the error `body` throws, failing the test when it does not throw or the
/// message lacks a fragment or spans several lines.
func expectError(_ fragments: [String], _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
    let message = throwsMessage(containing: fragments, body)
    #expect(message != nil && !message!.hasPrefix("MISMATCH"), "\(message ?? "no error")", sourceLocation: sourceLocation)
    #expect(!(message ?? "").contains("\n"), "not one line: \(message ?? "")", sourceLocation: sourceLocation)
}
