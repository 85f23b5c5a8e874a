import ArgumentParser
import Benchmarks
import Foundation

/// `pmf bench mrf`: mean-field sweeps and BP iterations per second on Potts grids, in memory and
/// through a model file as `pmf mrf solve` runs it.
struct MrfBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mrf",
        abstract: "Variable updates per second of mean-field sweeps and BP iterations on a 256×256 4-label Potts grid and a 100×100 binary grid, in memory and from a file.",
        discussion: """
        Models: Potts grids with coupling 0.5 and random unaries U(0,1) (seed 1). Parallel schedules split the \
        variables over the cores; sequential ones run on one. "memory" times step() on the generated model; \
        "file" times the path of `pmf mrf solve --model F --json` (LoadedModel): the grid is written to a \
        temporary .fg, read back (load s), solved with maxiter=K and maxiter=0 at tol=0 (per-iteration speed \
        from the difference) and its --json text built (output s). libDAI 0.3 (one thread) does about \
        0.10–0.12 M/s mean-field and 0.22–0.26 M/s BP on the 256×256 grid and reads its .fg in 1.9 s \
        (measured by hand; docs/mrf.md).
        """)

    @Option(help: "Sweeps (iterations) timed per measurement.") var sweeps = 100
    @Flag(help: "Print one JSON object {\"results\": [{\"model\", \"method\", \"variables\", \"sweeps\", \"seconds\", \"mups\", \"fileMups\", \"loadSeconds\", \"outputSeconds\"}]}.")
    var json = false

    func run() throws {
        guard sweeps >= 1 else { throw CommandError("--sweeps must be ≥ 1") }
        let speeds = try MRFBenchmark(sweeps: sweeps).run()
        if json { return try printJSON(["results": speeds]) }
        print("                                                   ---------- memory ----------  -------------- file (pmf mrf solve) -------------")
        print("model              method                  sweeps   seconds   M upd/s  × libDAI   M upd/s  × libDAI   memory/file    load s  output s")
        for r in speeds {
            print(r.model.padding(toLength: 18, withPad: " ", startingAt: 0) + " "
                  + r.method.padding(toLength: 22, withPad: " ", startingAt: 0)
                  + String(format: "  %6d  %8.3f  %8.2f  %8.1f  %8.2f  %8.1f  %12.2f  %8.3f  %8.3f", r.sweeps, r.seconds, r.mups, r.memoryOverLibDAI,
                           r.fileMups, r.fileOverLibDAI, r.memoryOverFile, r.loadSeconds, r.outputSeconds))
        }
    }
}
