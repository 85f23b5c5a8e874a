import Foundation

/// The running program's executable file, symlinks resolved (`/proc/self/exe`). In `pmf` this is
/// the binary that `pmf sweep run` starts for each run and a Slurm script names; a test bundle finds
/// the `pmf` built beside it from here.
public func runningExecutable() -> URL {
    URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
}
