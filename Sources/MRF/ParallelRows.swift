import Dispatch
import Foundation

/// Splits 0 ..< count into contiguous chunks, one per core, runs `body` on each concurrently and
/// returns the largest value any chunk returned. Small jobs (under 2048 items) run on the calling
/// thread, where the thread hand-off would cost more than it saves. `body` must only write to memory
/// that belongs to its own chunk.
func parallelMaximum(count: Int, _ body: (Range<Int>) -> Double) -> Double {
    let threads = count < 2048 ? 1 : max(1, ProcessInfo.processInfo.activeProcessorCount)
    guard threads > 1 else { return body(0 ..< count) }
    let results = UnsafeMutableBufferPointer<Double>.allocate(capacity: threads)
    defer { results.deallocate() }
    withoutActuallyEscaping(body) { body in
        // The chunks write disjoint memory (their own rows and their own result slot), which is
        // what makes sharing these non-Sendable values across the worker threads sound.
        let shared = UncheckedSendable(value: (body, results))
        DispatchQueue.concurrentPerform(iterations: threads) { chunk in
            let (body, results) = shared.value
            results[chunk] = body(count * chunk / threads ..< count * (chunk + 1) / threads)
        }
    }
    return results.max() ?? 0
}

/// A value handed to worker threads whose safety the caller argues for (disjoint writes).
struct UncheckedSendable<Value>: @unchecked Sendable { let value: Value }
