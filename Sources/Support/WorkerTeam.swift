import CKernels
import Dispatch
import Foundation
import Synchronization

/// A fixed team of `workerCount − 1` threads that, with the calling thread, run the chunks of one
/// parallel region at a time — the one worker pool of every parallel region in PMFKit (network
/// layers, optimizer steps, MRF sweeps and BP).
///
/// A training step opens dozens of short parallel regions (every matrix product, every elementwise
/// pass), so starting one must cost well under a microsecond: workers poll for new work for a
/// while before they sleep on a semaphore, and the caller polls until they are done (yielding its
/// core after a while, in case another process has preempted a worker). Regions
/// opened while the team is busy (from another thread, or nested inside a chunk) run their chunks
/// one after another on the caller, in the same split. A region may have more chunks than the team
/// has threads: each thread claims the next unclaimed chunk until none is left. Which thread ran a
/// chunk never changes a result; the chunk boundaries are the caller's.
final class WorkerTeam: Sendable {
    /// The process-wide team.
    static let shared = WorkerTeam(workers: workerCount - 1)

    /// Polls before a waiting worker goes to sleep (each a `pause`, roughly 0.1–0.3 ms in all).
    private static let spinLimit = 4_000

    private final class Worker: Sendable {
        let sleeping = Atomic<Bool>(false)
        let wake = DispatchSemaphore(value: 0)
    }

    private let workers: [Worker]
    /// Bumped once per region; workers join the new region when it changes.
    private let generation = Atomic<Int>(0)
    /// Workers still taking part in the current region.
    private let remaining = Atomic<Int>(0)
    /// The next chunk of the current region no thread has claimed yet.
    private let nextChunk = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    /// The current region's job and chunk count, written before `generation` is bumped and read
    /// after it changes (the caller's own closure, so opening a region allocates nothing).
    private nonisolated(unsafe) let region = UnsafeMutablePointer<(job: ((Int) -> Void)?, chunks: Int)>.allocate(capacity: 1)

    private init(workers count: Int) {
        region.initialize(to: (nil, 0))
        workers = (0 ..< max(0, count)).map { _ in Worker() }
        for (index, worker) in workers.enumerated() {
            let thread = Thread { [self] in work(as: worker) }
            thread.name = "pmfkit-worker-\(index + 1)"
            thread.start()
        }
    }

    /// The number of chunks a region can run at once: the workers and the caller.
    var width: Int { workers.count + 1 }

    /// Runs `body(chunk)` for chunk = 0 ..< chunks, in parallel when the team is free, and returns
    /// when all have finished.
    func run(chunks: Int, _ body: (Int) -> Void) {
        guard chunks > 1, width > 1, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for chunk in 0 ..< chunks { body(chunk) }
            return
        }
        withoutActuallyEscaping(body) { body in
            region.pointee = (body, chunks)
            nextChunk.store(0, ordering: .relaxed)
            remaining.store(workers.count, ordering: .relaxed)
            generation.add(1, ordering: .sequentiallyConsistent)
            for worker in workers where worker.sleeping.exchange(false, ordering: .sequentiallyConsistent) {
                worker.wake.signal()
            }
            runClaimedChunks(body, chunks: chunks)
            // Poll, then yield: a worker that another process has preempted gets the core back.
            var spins = 0
            while remaining.load(ordering: .acquiring) > 0 {
                spins += 1
                if spins < Self.spinLimit { ck_cpu_relax() } else { sched_yield() }
            }
            region.pointee = (nil, 0)
        }
        busy.store(false, ordering: .releasing)
    }

    /// Runs chunks of the current region until every one has been claimed.
    private func runClaimedChunks(_ job: (Int) -> Void, chunks: Int) {
        while true {
            let chunk = nextChunk.add(1, ordering: .relaxed).oldValue
            guard chunk < chunks else { return }
            job(chunk)
        }
    }

    /// Runs claimed chunks of the current region. A function of its own, so that this thread's copy
    /// of the job is gone when it returns, before the caller learns that the thread is done.
    @inline(never)
    private func joinRegion() {
        let (job, chunks) = region.pointee
        if let job { runClaimedChunks(job, chunks: chunks) }
    }

    private func work(as worker: Worker) {
        var seen = 0
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                guard spins > Self.spinLimit else { ck_cpu_relax(); continue }
                spins = 0
                // Announce the sleep, then look once more: either the poster sees the flag and
                // signals, or this thread takes the flag back itself.
                worker.sleeping.store(true, ordering: .sequentiallyConsistent)
                if generation.load(ordering: .sequentiallyConsistent) == seen
                    || !worker.sleeping.exchange(false, ordering: .sequentiallyConsistent) {
                    worker.wake.wait()
                }
            }
            seen = generation.load(ordering: .acquiring)
            joinRegion()
            remaining.subtract(1, ordering: .releasing)
        }
    }
}
