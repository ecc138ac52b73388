import Foundation
import Synchronization
import Testing

@testable import Import

struct RowPipelineTests {
    @Test func rowsComeBackInOrderAndEachLaterRowIsPrefetchedOnce() {
        // Rows 0..<jobs are read at once; each later row is prefetched when the row `jobs`
        // before it starts, exactly once.
        let prefetched = Mutex<[Int]>([])
        let pipeline = RowPipeline(count: 10, jobs: 3, prefetch: { row in prefetched.withLock { $0.append(row) } }) { row in
            row * row
        }
        let results = (0..<10).map { try? pipeline.take($0).get() }
        pipeline.stop()
        #expect(results == (0..<10).map { $0 * $0 })
        #expect(prefetched.withLock { $0 }.sorted() == Array(3..<10))
    }

    @Test func withoutPrefetchNothingIsAsked() {
        let pipeline = RowPipeline(count: 4, jobs: 2) { row in row + 1 }
        #expect((0..<4).map { try? pipeline.take($0).get() } == [1, 2, 3, 4])
        pipeline.stop()
    }

    @Test func workersRunAtMostTwiceTheJobsAheadOfTheTaker() throws {
        let started = Mutex(0)
        let pipeline = RowPipeline(count: 20, jobs: 2) { row in
            started.withLock { $0 += 1 }
            return row
        }
        // Nothing taken yet: however long the workers have, only the window's 4 rows start.
        Thread.sleep(forTimeInterval: 0.05)
        #expect(started.withLock { $0 } <= 4)
        #expect(try (0..<20).map { try pipeline.take($0).get() } == Array(0..<20))
        pipeline.stop()
        #expect(started.withLock { $0 } == 20)
    }

    @Test func stoppingEarlyEndsTheWorkers() throws {
        let pipeline = RowPipeline(count: 100, jobs: 3) { row in row }
        #expect(try pipeline.take(0).get() == 0)
        pipeline.stop()  // returns: the workers waiting for a slot see the stop
    }

    @Test func noRowsIsFine() {
        RowPipeline<Int>(count: 0, jobs: 4) { row in row }.stop()
    }
}
