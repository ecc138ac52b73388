import Testing

@testable import SQLiteStore

/// `maskdb sql` streams its result: rows are handed over as SQLite steps to them, never collected.
struct SQLStreamTests {
    @Test(.timeLimit(.minutes(1))) func sqlHandsOverEachRowAsItIsRead() throws {
        // An endless recursive CTE: only a query that streams its rows ever returns.
        let fixture = try StudyFixture()
        let store = try SQLiteStore.open(path: fixture.databasePath, create: true)
        _ = try store.initialize(study: nil, command: "test")
        var columns: [String] = [], rows: [[SQLResult.Value]] = []
        try SQLiteStore.query(
            path: fixture.databasePath, sql: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c"
        ) { columns = $0 } row: { row in
            rows.append(row)
            return rows.count < 3
        }
        #expect(columns == ["x"] && rows == [[.integer(1)], [.integer(2)], [.integer(3)]])
    }
}
