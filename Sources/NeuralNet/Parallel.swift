import Dispatch
import Foundation

/// The number of worker chunks for elementwise work: one per active core.
let coreCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

/// Runs `body(start, count)` over `count` elements split into one contiguous chunk per core
/// (chunk starts rounded to multiples of 8 so SIMD lanes never straddle chunks), in parallel when
/// the work is large enough to pay for a thread hand-off. `body` must only touch its own chunk.
func parallelChunks(count: Int, minimumPerChunk: Int = 32_768, _ body: (Int, Int) -> Void) {
    let chunks = min(coreCount, max(1, count / minimumPerChunk))
    guard chunks > 1 else { return body(0, count) }
    let size = ((count + chunks - 1) / chunks + 7) / 8 * 8
    withoutActuallyEscaping(body) { body in
        // The chunks are disjoint, so sharing the closure across threads is safe.
        nonisolated(unsafe) let work = body
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = chunk * size
            if start < count { work(start, min(size, count - start)) }
        }
    }
}
