import FuzzDriver
import MRF

/// The UAI (`MARKOV`) and libDAI `.fg` readers on the same text, with `pmf mrf`'s size check. A
/// model that parses must print and parse again (the writers' output is always readable) and
/// compile for the solvers.
/// Whether `graph` is small enough to print, re-parse and compile within the fuzzer's time limit (a
/// `.fg` table of 2²⁴ entries takes seconds to convert in an unoptimised ASan build).
func isSmall(_ graph: FactorGraph) -> Bool { graph.factors.reduce(0) { $0 + $1.energies.count } <= 1 << 16 }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModel(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    if let graph = try? UAIFormat.parse(text, file: "fuzz.uai"), (try? ModelFile.checkSize(graph, file: "fuzz.uai")) != nil, isSmall(graph) {
        guard (try? UAIFormat.parse(UAIFormat.text(of: graph), file: "again.uai")) != nil else { fatalError("a parsed UAI model does not round-trip") }
        _ = CompiledGraph(graph)  // what every solver does first
    }
    if let graph = try? FGFormat.parse(text, file: "fuzz.fg"), (try? ModelFile.checkSize(graph, file: "fuzz.fg")) != nil, isSmall(graph) {
        guard (try? FGFormat.parse(FGFormat.text(of: graph), file: "again.fg")) != nil else { fatalError("a parsed .fg model does not round-trip") }
        _ = CompiledGraph(graph)
    }
    return 0
}

// The one file of the target is its main file: libFuzzer runs from here.
runFuzzer(fuzzModel)
