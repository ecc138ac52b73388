import Foundation
import GRDB
import Store
import Testing

@testable import SQLiteStore

/// A maskdb database or nothing: only a command that creates (init, import) makes the
/// schema, and only in a new or empty file; any other SQLite database is refused, and
/// left byte for byte as it was.
struct ForeignDatabaseTests {
    /// A lab's own SQLite file, in the given journal mode, and its bytes.
    static func foreign(_ folder: URL, journal: String = "delete") throws -> (path: String, bytes: Data) {
        let path = folder.appendingPathComponent("other-\(journal).sqlite").path
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = \(journal)")
            try db.execute(sql: "CREATE TABLE subjects (id TEXT PRIMARY KEY, diagnosis TEXT)")
            try db.execute(sql: "INSERT INTO subjects VALUES ('sub-01', 'AD'), ('sub-02', 'CN')")
        }
        try queue.close()
        return (path, try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func scratch() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("maskdb-foreign-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test(arguments: ["delete", "wal"], [false, true])
    func anotherDatabaseIsRefusedAndLeftAsItWas(journal: String, create: Bool) throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (path, bytes) = try Self.foreign(folder, journal: journal)
        #expect(throws: StoreError.foreignDatabase(path: path, tables: ["subjects"])) {
            try SQLiteStore.open(path: path, create: create)
        }
        #expect(throws: StoreError.foreignDatabase(path: path, tables: ["subjects"])) {
            try SQLiteStore.query(path: path, sql: "SELECT * FROM subjects")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
    }

    @Test func anEmptyFileIsCreatedOnlyByCommandsThatCreate() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("empty.sqlite").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        #expect(throws: StoreError.emptyDatabase(path: path)) { try SQLiteStore.open(path: path, create: false) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).isEmpty)
        let store = try SQLiteStore.open(path: path, create: true)
        #expect(try store.masks().isEmpty)
        // Now it is maskdb's: commands that only read open it.
        #expect(try SQLiteStore.open(path: path, create: false).studyNames().isEmpty)
    }

    @Test func messagesSayWhatTheFileIs() {
        #expect(StoreError.foreignDatabase(path: "x.sqlite", tables: ["a", "b"]).description
            == "x.sqlite: an SQLite database, but not maskdb's (its tables: a, b); it was left as it is; give --db a maskdb database or a new file")
        #expect(StoreError.foreignDatabase(path: "x", tables: ["a", "b", "c", "d", "e", "f", "g"]).description.contains("a, b, c, d, e and 2 more"))
        #expect(StoreError.emptyDatabase(path: "e.sqlite").description
            == "e.sqlite: an empty database, not maskdb's yet; create one with 'maskdb init' or an import")
    }
}
