import Foundation

/// The number of chunks parallel work is split into: one per active core.
public let coreCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

/// Runs `body(start, count)` over `count` items split into one contiguous chunk per core (chunk
/// starts rounded to multiples of `alignment`, e.g. 8 so SIMD lanes never straddle chunks), in
/// parallel when there are at least `minimumPerChunk` items per chunk. `body` must touch only its
/// own chunk; results must not depend on the split (each item is computed independently).
public func parallelChunks(count: Int, minimumPerChunk: Int = 32_768, alignment: Int = 8, _ body: (Int, Int) -> Void) {
    parallelChunks(count: count, minimumPerChunk: minimumPerChunk, alignment: alignment) { _, start, count in body(start, count) }
}

/// `parallelChunks` that also passes each chunk's index (in 0 ..< `coreCount`), e.g. to pick a
/// per-chunk accumulator: `body(chunk, start, count)`.
public func parallelChunks(count: Int, minimumPerChunk: Int = 32_768, alignment: Int = 8, _ body: (Int, Int, Int) -> Void) {
    let chunks = min(coreCount, max(1, count / minimumPerChunk))
    guard chunks > 1 else { return body(0, 0, count) }
    let size = ((count + chunks - 1) / chunks + alignment - 1) / alignment * alignment
    WorkerTeam.shared.run(chunks: chunks) { chunk in
        let start = chunk * size
        if start < count { body(chunk, start, min(size, count - start)) }
    }
}

/// Like `parallelChunks`, over several arrays at once: the items of segments 0, 1, … (of sizes
/// `counts`) are laid end to end, split into one chunk per core, and `body(segment, start, count)`
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
