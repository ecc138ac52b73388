import Store
import Foundation

/// Checks manifest rows on worker threads ahead of the thread that stores them, at most
/// `window` rows ahead, so memory holds a bounded number of files whatever the manifest's size.
final class RowPipeline<Prepared: Sendable>: @unchecked Sendable {
    private let count: Int
    private let window: Int
    private let lookahead: Int
    private let work: @Sendable (Int) throws -> Prepared
    private let prefetch: (@Sendable (Int) -> Void)?
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var results: [Int: Result<Prepared, any Error>] = [:]
    private var nextToClaim = 0
    private var nextToTake = 0
    private var stopped = false
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
        self.window = 2 * jobs
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
            condition.lock()
            while !stopped && nextToClaim < count && nextToClaim >= nextToTake + window { condition.wait() }
            guard !stopped, nextToClaim < count else {
                condition.unlock()
                return
            }
            let index = nextToClaim
            nextToClaim += 1
            condition.unlock()
            if let prefetch, index + lookahead < count { prefetch(index + lookahead) }
            let result = Result { try work(index) }
            condition.lock()
            results[index] = result
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Row `index`'s outcome, waiting for it; rows must be taken in order.
    func take(_ index: Int) -> Result<Prepared, any Error> {
        condition.lock()
        defer { condition.unlock() }
        while results[index] == nil { condition.wait() }
        nextToTake = index + 1
        condition.broadcast()
        return results.removeValue(forKey: index)!
    }

    /// Stops the workers after the rows they are on, and waits for them.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
        workers.wait()
    }
}
