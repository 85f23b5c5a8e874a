import Dispatch
import Foundation

/// Splits 0 ..< count into contiguous chunks, four per core so that a core slowed by another process
/// does not hold the others up, runs `body` on each concurrently (Dispatch hands chunks to idle
/// threads) and returns the largest value any chunk returned. Small jobs (under 2048 items) run on the calling
/// thread, where the thread hand-off would cost more than it saves. `body` must only write to memory
/// that belongs to its own chunk.
func parallelMaximum(count: Int, _ body: (Range<Int>) -> Double) -> Double {
    let cores = count < 2048 ? 1 : max(1, ProcessInfo.processInfo.activeProcessorCount)
    guard cores > 1 else { return body(0 ..< count) }
    let chunks = 4 * cores
    let results = UnsafeMutableBufferPointer<Double>.allocate(capacity: chunks)
    defer { results.deallocate() }
    withoutActuallyEscaping(body) { body in
        // The chunks write disjoint memory (their own rows and their own result slot), which is
        // what makes sharing these non-Sendable values across the worker threads sound.
        let shared = UncheckedSendable(value: (body, results))
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let (body, results) = shared.value
            results[chunk] = body(count * chunk / chunks ..< count * (chunk + 1) / chunks)
        }
    }
    return results.max() ?? 0
}

/// A value handed to worker threads whose safety the caller argues for (disjoint writes).
struct UncheckedSendable<Value>: @unchecked Sendable { let value: Value }
