import Store
import Synchronization
import Testing

@testable import SQLiteStore

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
}
