import Foundation
import Synchronization

/// Checks manifest rows on worker threads ahead of the thread that stores them, at most
/// `window` rows ahead, so memory holds a bounded number of files whatever the manifest's size.
final class RowPipeline<Prepared: Sendable>: Sendable {
    private let count: Int
    private let lookahead: Int
    private let work: @Sendable (Int) throws -> Prepared
    private let prefetch: (@Sendable (Int) -> Void)?
    /// The next row to claim, and whether the pipeline was stopped.
    private let claims = Mutex((next: 0, stopped: false))
    /// Finished rows not yet taken.
    private let results = Mutex<[Int: Result<Prepared, any Error>]>([:])
    /// Signalled once per finished row; the taker waits on it while its row is not in.
    private let finished = DispatchSemaphore(value: 0)
    /// One per row that may be claimed but not yet taken: the window.
    private let slots: DispatchSemaphore
    private let jobs: Int
    private let workers = DispatchGroup()

    /// Starts `jobs` workers over rows 0..<count. A worker that starts on row i first calls
    /// `prefetch` for row i + jobs, the row that follows once every worker has started its
    /// next one, so its file can come from disk while the workers are busy with theirs.
    init(
        count: Int, jobs: Int, prefetch: (@Sendable (Int) -> Void)? = nil,
        work: @escaping @Sendable (Int) throws -> Prepared
    ) {
        // More workers than rows would have nothing to do.
        let jobs = max(1, min(jobs, count))
        self.count = count
        self.prefetch = prefetch
        self.lookahead = jobs
        self.jobs = jobs
        // Made empty and filled: libdispatch traps when a semaphore ends below the value it was made with.
        self.slots = DispatchSemaphore(value: 0)
        for _ in 0..<2 * jobs { slots.signal() }
        self.work = work
        for _ in 0..<jobs {
            workers.enter()
            Thread.detachNewThread { [self] in
                defer { workers.leave() }
                runWorker()
            }
        }
    }

    private func runWorker() {
        while true {
            slots.wait()
            let index: Int? = claims.withLock { claims in
                guard !claims.stopped, claims.next < count else { return nil }
                defer { claims.next += 1 }
                return claims.next
            }
            guard let index else {
                slots.signal()  // unclaimed: another worker may be waiting for it to learn the end
                return
            }
            if let prefetch, index + lookahead < count { prefetch(index + lookahead) }
            let result = Result { try work(index) }
            results.withLock { $0[index] = result }
            finished.signal()
        }
    }

    /// Row `index`'s outcome, waiting for it; rows must be taken in order.
    func take(_ index: Int) -> Result<Prepared, any Error> {
        while true {
            // A wake-up may be for another row that finished first: look again.
            if let result = results.withLock({ $0.removeValue(forKey: index) }) {
                slots.signal()
                return result
            }
            finished.wait()
        }
    }

    /// Stops the workers after the rows they are on, and waits for them.
    func stop() {
        claims.withLock { $0.stopped = true }
        // Wake every worker that waits for a slot, so that it sees the stop.
        for _ in 0..<jobs { slots.signal() }
        workers.wait()
    }
}
