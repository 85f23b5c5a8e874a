import ArgumentParser
import Benchmarks
import Foundation

/// `pmf bench`: speed figures printed by the tool itself (no timed tests).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print speed figures.", subcommands: [SgemmBench.self, TrainBench.self, StepBench.self, EvalBench.self, MrfBench.self])
}

/// Single-precision GEMM through the CGSL module (OpenBLAS) beside GSL's own gslcblas.
struct SgemmBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sgemm",
        abstract: "sgemm GFLOP/s through CGSL (OpenBLAS) and GSL's reference gslcblas, in one run.")

    @Option(help: "Seconds to spend timing each library at each size.") var seconds = 1.0
    @Option(help: "OpenBLAS threads (default: OpenBLAS's own choice).") var threads: Int?
    @Option(name: .customLong("size"), help: "A product m x n x k to time, e.g. 256x50x500 (repeatable; default 100x300x784 and 1024x1024x1024).")
    var sizes: [String] = []
    @Flag(help: "Print one JSON object.") var json = false

    /// The products to time: `--size` values, or LeNet-300's first layer on a batch of 100 and the classic square case.
    func shapes() throws -> [GemmShape] {
        guard !sizes.isEmpty else { return [GemmShape(m: 100, n: 300, k: 784), GemmShape(m: 1024, n: 1024, k: 1024)] }
        return try sizes.map { text in
            let parts = text.split(whereSeparator: { $0 == "x" || $0 == "×" }).map { Int($0) }
            guard parts.count == 3, let m = parts[0], let n = parts[1], let k = parts[2], m > 0, n > 0, k > 0 else {
                throw CommandError("--size: expected m x n x k with three positive whole numbers, e.g. 256x50x500, got '\(text)'")
            }
            return GemmShape(m: m, n: n, k: k)
        }
    }

    func run() throws {
        let shapes = try shapes()
        if let threads { OpenBLAS.threads = threads }
        let comparison = try SgemmComparison.measure(shapes, seconds: seconds)
        if json {
            struct Report: Encodable { let openblas_threads: Int; let config: String; let results: [SgemmRate] }
            return try printJSON(Report(openblas_threads: OpenBLAS.threads, config: OpenBLAS.configuration, results: comparison.rates))
        }
        print("OpenBLAS: \(OpenBLAS.configuration), \(OpenBLAS.threads) threads")
        print("  m ×    n ×    k  library    GFLOP/s  calls")
        for r in comparison.rates {
            print(String(format: "%4d × %4d × %4d  ", r.shape.m, r.shape.n, r.shape.k) + r.library.padding(toLength: 9, withPad: " ", startingAt: 0)
                  + String(format: " %8.2f  %5d", r.gflops, r.calls))
        }
        for (shape, ratio) in comparison.speedups {
            print("  \(shape): OpenBLAS is \(String(format: "%.1f", ratio))× gslcblas")
        }
    }
}
