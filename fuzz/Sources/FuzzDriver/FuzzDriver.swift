import CFuzzer
import Foundation

/// A fuzz target's entry: libFuzzer's flags and corpus folders come from the command line.
public typealias FuzzTest = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// Runs libFuzzer on `test` with the process's arguments; exits with its status.
public func runFuzzer(_ test: FuzzTest) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, test))
}

/// The input as bytes.
public func bytes(_ start: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: start, count: count))
}

/// A scratch folder for targets that read files, one per process; in /dev/shm when there is one
/// (file creation on a disk file system costs more than the readers).
public func scratchFolder(_ name: String) -> String {
    let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm/" : NSTemporaryDirectory()
    let path = base + "pmfkit-fuzz-\(name)-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes `bytes` to `path` (not atomically: the fuzzer's scratch files have one reader).
public func writeFile(_ bytes: some Collection<UInt8>, to path: String) {
    try? Data(bytes).write(to: URL(fileURLWithPath: path))
}
