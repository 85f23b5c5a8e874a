import Foundation

/// The number of threads parallel regions use: `PMFKIT_THREADS` when it is set to a whole number
/// ≥ 1, else one per active processor. No result depends on it (see `parallelChunks` and
/// `parallelFixedChunks`); only the speed does.
public let workerCount: Int = {
    if let text = ProcessInfo.processInfo.environment["PMFKIT_THREADS"], let n = Int(text), n >= 1 { return n }
    return max(1, ProcessInfo.processInfo.activeProcessorCount)
}()

/// The most chunks `parallelFixedChunks` splits work into, whatever the number of workers, and so
/// the number of per-chunk partial results a caller keeps.
public let fixedChunkCount = 8

/// Runs `body(start, count)` over `count` items split into one contiguous chunk per worker (chunk
/// starts rounded to multiples of `alignment`, e.g. 8 so SIMD lanes never straddle chunks), in
/// parallel when there are at least `minimumPerChunk` items per chunk. `body` must touch only its
/// own chunk and compute every item independently of where the chunk boundaries fall, so results
/// do not depend on the split (and so not on `workerCount`).
public func parallelChunks(count: Int, minimumPerChunk: Int = 32_768, alignment: Int = 8, _ body: (Int, Int) -> Void) {
    split(count: count, chunks: min(workerCount, max(1, count / minimumPerChunk)), alignment: alignment) { _, start, count in
        body(start, count)
    }
}

/// Runs `body(chunk, start, count)` over `count` items split into at most `maximumChunks` (at most
/// `fixedChunkCount`) contiguous chunks of at least `minimumPerChunk` items (starts rounded to
/// multiples of `alignment`), chunk in 0 ..< `maximumChunks`, in parallel on the workers. The
/// boundaries depend only on the arguments — never on the number of workers — so per-chunk partial
/// results (sums) folded in chunk order give the same bits on any machine.
public func parallelFixedChunks(count: Int, minimumPerChunk: Int, alignment: Int = 1, maximumChunks: Int = fixedChunkCount,
                                _ body: (Int, Int, Int) -> Void) {
    let chunks = min(maximumChunks, fixedChunkCount, max(1, count / max(1, minimumPerChunk)))
    split(count: count, chunks: chunks, alignment: alignment, body)
}

/// `chunks` chunks of equal size rounded up to `alignment` (the last ones may be short or empty and
/// are then skipped), run on the worker team.
private func split(count: Int, chunks: Int, alignment: Int, _ body: (Int, Int, Int) -> Void) {
    guard chunks > 1 else { return body(0, 0, count) }
    let size = ((count + chunks - 1) / chunks + alignment - 1) / alignment * alignment
    WorkerTeam.shared.run(chunks: chunks) { chunk in
        let start = chunk * size
        if start < count { body(chunk, start, min(size, count - start)) }
    }
}

/// Like `parallelChunks`, over several arrays at once: the items of segments 0, 1, … (of sizes
/// `counts`) are laid end to end, split into one chunk per worker, and `body(segment, start, count)`
/// is called for each piece of a segment inside a chunk — one parallel region for all of them.
public func parallelSegments(counts: [Int], minimumPerChunk: Int = 32_768, _ body: (Int, Int, Int) -> Void) {
    var offsets = [0]
    for count in counts { offsets.append(offsets.last! + count) }
    parallelChunks(count: offsets.last!, minimumPerChunk: minimumPerChunk) { start, count in
        let end = start + count
        for segment in counts.indices where offsets[segment] < end && offsets[segment + 1] > start {
            let from = max(start, offsets[segment]), to = min(end, offsets[segment + 1])
            body(segment, from - offsets[segment], to - from)
        }
    }
}

/// The largest value `body` returns over `count` items split into fixed chunks (at least
/// `minimumPerChunk` items each, so small jobs stay on the calling thread). `body` must write only
/// memory that belongs to its own range.
public func parallelMaximum(count: Int, minimumPerChunk: Int = 2_048, _ body: (Range<Int>) -> Double) -> Double {
    withUnsafeTemporaryAllocation(of: Double.self, capacity: fixedChunkCount) { results in
        results.initialize(repeating: -.infinity)
        parallelFixedChunks(count: count, minimumPerChunk: minimumPerChunk) { chunk, start, length in
            results[chunk] = body(start ..< start + length)
        }
        return results.max()!
    }
}
