import ArgumentParser
import CGSL
import Foundation
import Support

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

    struct Row: Encodable { let m, n, k: Int; let library: String; let gflops: Double; let calls: Int }

    /// The products to time: `--size` values, or LeNet-300's first layer on a batch of 100 and the classic square case.
    func products() throws -> [(Int, Int, Int)] {
        guard !sizes.isEmpty else { return [(100, 300, 784), (1024, 1024, 1024)] }
        return try sizes.map { text in
            let parts = text.split(whereSeparator: { $0 == "x" || $0 == "×" }).map { Int($0) }
            guard parts.count == 3, let m = parts[0], let n = parts[1], let k = parts[2], m > 0, n > 0, k > 0 else {
                throw CommandError("--size: expected m x n x k with three positive whole numbers, e.g. 256x50x500, got '\(text)'")
            }
            return (m, n, k)
        }
    }

    func run() throws {
        let products = try products()
        if let threads { openblas_set_num_threads(Int32(threads)) }
        guard let handle = dlopen("libgslcblas.so.0", RTLD_NOW | RTLD_LOCAL),
              let symbol = dlsym(handle, "cblas_sgemm") else {
            throw CommandError("cannot open GSL's libgslcblas.so.0; install libgsl-dev (apt-get install libgsl-dev)")
        }
        let gslSgemm = unsafeBitCast(symbol, to: cgsl_sgemm_pointer.self)
        let libraries: [(String, cgsl_sgemm_pointer)] = [("openblas", cblas_sgemm), ("gslcblas", gslSgemm)]
        var rows: [Row] = []
        for (m, n, k) in products {
            for (name, sgemm) in libraries {
                let (gflops, calls) = sgemmRate(m: m, n: n, k: k, seconds: seconds, sgemm: sgemm)
                rows.append(Row(m: m, n: n, k: k, library: name, gflops: gflops, calls: calls))
            }
        }
        if json {
            struct Report: Encodable { let openblas_threads: Int; let config: String; let results: [Row] }
            try printJSON(Report(openblas_threads: Int(openblas_get_num_threads()),
                                 config: String(cString: openblas_get_config()), results: rows))
            return
        }
        print("OpenBLAS: \(String(cString: openblas_get_config())), \(openblas_get_num_threads()) threads")
        print("  m ×    n ×    k  library    GFLOP/s  calls")
        for r in rows {
            print(String(format: "%4d × %4d × %4d  %-9@ %8.2f  %5d", r.m, r.n, r.k, r.library, r.gflops, r.calls))
        }
        for size in Set(rows.map { "\($0.m)x\($0.n)x\($0.k)" }).sorted() {
            let pair = rows.filter { "\($0.m)x\($0.n)x\($0.k)" == size }
            print("  \(size): OpenBLAS is \(String(format: "%.1f", pair[0].gflops / pair[1].gflops))× gslcblas")
        }
    }
}

/// Best-of-runs GFLOP/s of C = A·B (row-major, m×k times k×n), timing for about `seconds`;
/// also returns the number of calls made. `threads`, when given, sets OpenBLAS's thread count first.
func sgemmRate(m: Int, n: Int, k: Int, seconds: Double, threads: Int? = nil, sgemm: cgsl_sgemm_pointer = cblas_sgemm) -> (Double, Int) {
    if let threads { openblas_set_num_threads(Int32(threads)) }
    let a = (0 ..< m * k).map { Float(($0 * 7919) % 97) / 97 - 0.5 }
    let b = (0 ..< k * n).map { Float(($0 * 104729) % 89) / 89 - 0.5 }
    var c = [Float](repeating: 0, count: m * n)
    let clock = ContinuousClock()
    var best = Duration.seconds(1e9)
    var calls = 0
    let start = clock.now
    repeat {
        let t0 = clock.now
        sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
              1, a, Int32(k), b, Int32(n), 0, &c, Int32(n))
        best = min(best, clock.now - t0)
        calls += 1
    } while clock.now - start < .seconds(seconds) || calls < 2
    let elapsed = best.inSeconds
    return (2 * Double(m * n * k) / elapsed / 1e9, calls)
}
