import Store
import Foundation
import GRDB
import Testing

@testable import SQLiteStore
@testable import Schema

/// The migrated schema against a committed snapshot, so a change to a shipped migration
/// (which must never happen) or a new one shows up as a reviewed diff.
struct SchemaTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let snapshot = folder.appendingPathComponent("Snapshots/schema.sql")
    static let schemaFolder = folder.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Schema")

    /// Every table, index and view's SQL after all migrations, sorted by name.
    static func migratedSchema() throws -> String {
        let store = try SQLiteStore.inMemory()
        return try store.read { db in
            try String.fetchAll(
                db, sql: "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type, name")
        }.joined(separator: ";\n\n") + ";\n"
    }

    @Test func migratedSchemaMatchesTheSnapshot() throws {
        let schema = try Self.migratedSchema()
        if ProcessInfo.processInfo.environment["MASKDB_UPDATE_SNAPSHOTS"] == "1" {
            try Data(schema.utf8).write(to: Self.snapshot)
        }
        let expected = try String(contentsOf: Self.snapshot, encoding: .utf8)
        #expect(schema == expected, "the schema changed; if intended, rerun with MASKDB_UPDATE_SNAPSHOTS=1 and review the diff")
    }

    @Test func everySQLFileInSchemaIsAMigrationInOrder() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.schemaFolder.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(SchemaMigrations.all.map { $0.identifier + ".sql" } == files)
        for (file, migration) in zip(files, SchemaMigrations.all) {
            #expect(try String(contentsOf: Self.schemaFolder.appendingPathComponent(file), encoding: .utf8) == migration.sql)
        }
    }

    @Test func storesOpenWithForeignKeysAndRollbackJournal() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.open(path: fixture.databasePath, create: true)
        let (foreignKeys, journal, pageSize) = try store.read { db in
            (try Int.fetchOne(db, sql: "PRAGMA foreign_keys"), try String.fetchOne(db, sql: "PRAGMA journal_mode"),
             try Int.fetchOne(db, sql: "PRAGMA page_size"))
        }
        #expect(foreignKeys == 1 && journal == "delete" && pageSize == 65536)
    }

    /// A database as earlier versions left it: in WAL mode, with the schema applied.
    static func walDatabase(at path: String) throws -> DatabasePool {
        let pool = try DatabasePool(path: path)
        try SQLiteStore.migrator.migrate(pool)
        #expect(try pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
        return pool
    }

    @Test func anEarlierWALFileMovesToTheRollbackJournal() throws {
        let fixture = try StudyFixture()
        try Self.walDatabase(at: fixture.databasePath).close()
        let store = try SQLiteStore.open(path: fixture.databasePath, create: false)
        #expect(try store.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "delete")
        #expect(!FileManager.default.fileExists(atPath: fixture.databasePath + "-wal"))
    }

    @Test func anEarlierWALFileInUseIsUsedAsItIs() throws {
        let fixture = try StudyFixture()
        let other = try Self.walDatabase(at: fixture.databasePath)  // another process, still open
        let store = try SQLiteStore.open(path: fixture.databasePath, create: false)
        #expect(try store.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
        #expect(try store.initialize(study: "s", command: "test"))
        #expect(try other.read { try String.fetchAll($0, sql: "SELECT name FROM studies") } == ["s"])
    }
}
