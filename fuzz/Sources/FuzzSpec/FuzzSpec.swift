import FuzzDriver
import MRF
import NeuralNet
import Quantization
import Support

/// The one spec grammar (`name[key=value,…]`) and its readers: MRF algorithms, training methods and
/// learning-rate schedules. What parses must print as text that parses to the same thing.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSpec(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    if let spec = try? SpecText(parsing: text, what: "fuzz") {
        guard (try? SpecText(parsing: spec.description, what: "fuzz")) == spec else { fatalError("spec text does not round-trip: \(spec)") }
    }
    if let algorithm = try? Algorithm(parsing: text) {
        guard (try? Algorithm(parsing: algorithm.description)) == algorithm else { fatalError("algorithm does not round-trip: \(algorithm)") }
    }
    if let method = try? MethodSpec(parsing: text) {
        guard (try? MethodSpec(parsing: method.description))?.description == method.description else {
            fatalError("method does not round-trip: \(method)")
        }
    }
    if let schedule = try? LearningRateSchedule(parsing: text) {
        for iteration in [0, 1, 7000, Int.max] { _ = schedule.rate(base: 0.1, at: iteration) }
    }
    return 0
}

// The one file of the target is its main file: libFuzzer runs from here.
runFuzzer(fuzzSpec)
