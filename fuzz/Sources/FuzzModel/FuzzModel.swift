import FuzzDriver
import MRF

/// The UAI (`MARKOV`) and libDAI `.fg` readers on the same text. A model that parses must print
/// and parse again (the writers' output is always readable).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModel(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    if let graph = try? UAIFormat.parse(text, file: "fuzz.uai") {
        guard (try? UAIFormat.parse(UAIFormat.text(of: graph), file: "again.uai")) != nil else { fatalError("a parsed UAI model does not round-trip") }
    }
    if let graph = try? FGFormat.parse(text, file: "fuzz.fg") {
        guard (try? FGFormat.parse(FGFormat.text(of: graph), file: "again.fg")) != nil else { fatalError("a parsed .fg model does not round-trip") }
    }
    return 0
}

// The one file of the target is its main file: libFuzzer runs from here.
runFuzzer(fuzzModel)
