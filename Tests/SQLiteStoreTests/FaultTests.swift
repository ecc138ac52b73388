import Foundation
import GRDB
import GRDBSQLite
import Import
import NIfTI
import NIfTIFixtures
import Schema
import Store
import Synchronization
import Testing

@testable import SQLiteStore

/// Faults leave nothing behind, and every byte is checked on its way out: damaged bytes,
/// a full disk, an interrupted write, a database being created, a damaged page.
struct FaultTests {
    let options = ImportOptions(command: "maskdb import masks masks.tsv")

    static func sha256(_ path: String) throws -> String { SHA256Digest.hex(try FileBytes.read(path)) }

    /// A study of 8 small masks imported into a file.
    static func imported(_ fixture: StudyFixture) throws -> SQLiteStore {
        let store = try SQLiteStore.open(path: fixture.databasePath, create: true)
        _ = try store.importMasks(manifestPath: try fixture.smallStudy(), options: ImportOptions(command: "test"))
        return store
    }

    /// A manifest of one mask of random values on a finer grid: about 250 KB compressed,
    /// more than a few 64 KiB pages.
    static func largeMask(_ fixture: StudyFixture) throws -> String {
        var file = FixtureFile()
        file.shape = [48, 40, 36]
        var state: UInt64 = 11
        file.encode(float32: (0..<(48 * 40 * 36)).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24)
        })
        file.sformCode = 4
        file.srows = [[3.75, 0, 0, -90], [0, 3.75, 0, -126], [0, 0, 3.75, -72]]
        try Data(StoredGzip.member(file.bytes)).write(to: fixture.folder.appendingPathComponent("large.nii.gz"))
        return try fixture.manifest("large.tsv", ["path\tfold\trun\tlambda1\tlambda2", "large.nii.gz\t5\t0\t0.1\t0.01"])
    }

    /// The database can grow by no page: SQLite's SQLITE_FULL, as on a full disk.
    static func fillUp(_ store: SQLiteStore) throws {
        try store.writer.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            try db.execute(sql: "PRAGMA max_page_count = \(pages)")
        }
    }

    @Test func alteredBytesAreNeverHandedOut() throws {
        let fixture = try StudyFixture()
        let store = try Self.imported(fixture)
        let recorded = try #require(try store.masks(ids: [1]).first?.sha256)
        var bytes = try store.maskFileBytes(maskID: 1)
        bytes[bytes.count / 2] ^= 0x10
        try store.writeDatabase { db in
            try db.execute(sql: "UPDATE blobs SET bytes = ? WHERE sha256 = ?", arguments: [Data(bytes), recorded])
        }
        let damaged = StoreError.damagedFile(record: "mask 1", actual: SHA256Digest.hex(bytes), recorded: recorded)
        #expect(throws: damaged) { try store.maskFileBytes(maskID: 1) }
        #expect(damaged.description == "mask 1: its stored file's sha256 is \(SHA256Digest.hex(bytes).prefix(12))… not the recorded \(recorded.prefix(12))…; the database is damaged: run maskdb verify")
        #expect(try store.verify().contains("blob \(recorded): its bytes no longer hash to their sha256 (altered)"))
        // The atlas's files are checked as they are read back too.
        try store.writeDatabase { db in
            try db.execute(sql: "UPDATE blobs SET bytes = zeroblob(10) WHERE sha256 = (SELECT labels_sha256 FROM atlases)")
        }
        #expect(throws: StoreError.self) { try store.atlas(named: "aal2") }
        #expect(throws: StoreError.self) { try store.atlasFiles(named: "aal2").checked(name: "aal2") }
    }

    @Test func aFullDiskRollsTheImportBackAndLeavesNoJournal() throws {
        let fixture = try StudyFixture()
        let store = try Self.imported(fixture)
        let before = try Self.sha256(fixture.databasePath)
        try Self.fillUp(store)
        #expect(throws: StoreError.database(path: fixture.databasePath, message: "the disk is full; nothing was written")) {
            try store.importMasks(manifestPath: try Self.largeMask(fixture), options: options)
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.databasePath + "-journal"))
        #expect(try Self.sha256(fixture.databasePath) == before)
        // A read-only command works at once, in this process or another.
        #expect(try store.count("masks") == 8)
        #expect(try SQLiteStore.open(path: fixture.databasePath, create: false).verify() == [])
    }

    @Test func aFailedFirstImportRemovesTheDatabaseItCreated() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.open(path: fixture.databasePath, create: true)
        try Self.fillUp(store)
        #expect(throws: StoreError.self) { try store.importMasks(manifestPath: try Self.largeMask(fixture), options: options) }
        #expect(!FileManager.default.fileExists(atPath: fixture.databasePath))
        #expect(!FileManager.default.fileExists(atPath: fixture.databasePath + "-journal"))
        // The store is not written to any more: the file it had is gone.
        #expect(throws: StoreError.self) { try store.initialize(study: "x", command: "test") }
        #expect(!FileManager.default.fileExists(atPath: fixture.databasePath))
    }

    @Test func aFailedImportIntoAnEarlierDatabaseKeepsIt() throws {
        // Not created by this store: never removed, even holding nothing.
        let fixture = try StudyFixture()
        try SQLiteStore.open(path: fixture.databasePath, create: true).initialize(study: nil, command: "init")
        let store = try SQLiteStore.open(path: fixture.databasePath, create: true)
        try Self.fillUp(store)
        #expect(throws: StoreError.self) { try store.importMasks(manifestPath: try Self.largeMask(fixture), options: options) }
        #expect(FileManager.default.fileExists(atPath: fixture.databasePath))
        #expect(try store.atlasNames() == ["aal2"])
    }

    /// `path` with a hot journal: a copy of `source` and its journal taken in the middle of
    /// a write whose changed pages were already written to the file (as a killed import leaves it).
    static func hotJournal(copying source: String, to path: String) throws {
        let queue = try DatabaseQueue(path: source)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            try db.execute(sql: "DELETE FROM mask_densities")
            try db.execute(sql: "UPDATE masks SET lambda1 = 5")
            #expect(sqlite3_db_cacheflush(db.sqliteConnection) == SQLITE_OK)
            try FileManager.default.copyItem(atPath: source, toPath: path)
            try FileManager.default.copyItem(atPath: source + "-journal", toPath: path + "-journal")
            try db.execute(sql: "ROLLBACK")
        }
        try queue.close()
    }

    @Test func aHotJournalIsRolledBackByAWriterAndExplainedToAReader() throws {
        let fixture = try StudyFixture()
        _ = try Self.imported(fixture)
        let before = try Self.sha256(fixture.databasePath)
        let copy = fixture.folder.appendingPathComponent("copy.sqlite").path
        try Self.hotJournal(copying: fixture.databasePath, to: copy)
        #expect(try Self.sha256(copy) != before)
        // A reader who cannot write is told who must run what (as root, a read-only connection
        // stands for a user without write permission on the folder).
        var readOnly = Configuration()
        readOnly.readonly = true
        let refusal = try #require(throws: DatabaseError.self) {
            let reader = try DatabaseQueue(path: copy, configuration: readOnly)
            try reader.read { db in _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM masks") }
        }
        #expect(refusal.extendedResultCode == .SQLITE_READONLY_ROLLBACK)
        #expect(StoreError(refusal, path: copy).description == "\(copy): has an unfinished write (a hot journal, \(copy)-journal) that a read-only open cannot roll back; someone who can write to \(fixture.folder.path) and the file must run 'maskdb verify --db \(copy)', then run this again")
        // What the message says to run rolls it back.
        #expect(try SQLiteStore.open(path: copy, create: false).verify() == [])
        #expect(!FileManager.default.fileExists(atPath: copy + "-journal"))
        #expect(try Self.sha256(copy) == before)
    }

    @Test func aNewDatabaseAppearsWhole() throws {
        let fixture = try StudyFixture()
        let path = fixture.databasePath
        let store = try SQLiteStore.open(path: path, create: true, command: "maskdb init")
        // A plain connection finds every migration and the atlas, and the audit entry.
        let raw = try DatabaseQueue(path: path)
        let (migrations, atlases, entries) = try raw.read { db in
            (try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"), try String.fetchAll(db, sql: "SELECT name FROM atlases"),
             try String.fetchAll(db, sql: "SELECT command FROM imports WHERE kind = 'init'"))
        }
        #expect(migrations.count == SchemaMigrations.all.count && atlases == ["aal2"] && entries == ["maskdb init"])
        try raw.close()
        let again = try SQLiteStore.open(path: path, create: true)
        #expect(store.created && !again.created)
        #expect(try !store.initialize(study: nil, command: "again"))
        // Nothing beside it but itself.
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.folder.path).filter { $0.contains("study.sqlite") } == ["study.sqlite"])
        // A second creator of a path that exists now does not replace it.
        let sha = try Self.sha256(path)
        #expect(try !SQLiteStore.createWhole(path, configuration: SQLiteStore.fileConfiguration, command: "late"))
        #expect(try Self.sha256(path) == sha)
    }

    @Test func concurrentCreatorsShareOneDatabase() throws {
        let fixture = try StudyFixture()
        let path = fixture.databasePath
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            do {
                try SQLiteStore.open(path: path, create: true).initialize(study: "s\(index)", command: "test")
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let store = try SQLiteStore.open(path: path, create: false)
        #expect(try store.studyNames() == ["s0", "s1", "s2", "s3"])
        #expect(try store.atlasNames() == ["aal2"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.folder.path).filter { $0.contains(".creating-") } == [])
    }

    @Test func verifyNamesTheDamagedPageAndItsTable() throws {
        let fixture = try StudyFixture()
        let root: Int
        do {
            let store = try Self.imported(fixture)
            root = try #require(try store.read { try Int.fetchOne($0, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'studies'") })
        }
        // Overwrite the b-tree page header of the studies table.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: fixture.databasePath))
        try handle.seek(toOffset: UInt64((root - 1) * 65536))
        try handle.write(contentsOf: Data(repeating: 0xFF, count: 16))
        try handle.close()
        // The store may not open (its migrations' index reads the page); SQLite's check does.
        let opened = try? SQLiteStore.open(path: fixture.databasePath, create: false).verify()
        let problems = try opened ?? SQLiteStore.integrityProblems(path: fixture.databasePath)
        #expect(!problems.isEmpty)
        #expect(problems.contains { $0.contains("page \(root)") }, "\(problems)")
        #expect(problems.contains { $0.contains("table studies") }, "\(problems)")
        #expect(!problems.contains { $0.contains("***") })
    }

    @Test func integrityMessagesNameTheirPageAndTable() {
        let tables = [4: "table blobs"]
        #expect(SQLiteStore.describe("Page 5: btreeInitPage() returns error code 11", tables: tables) == "page 5: btreeInitPage() returns error code 11")
        #expect(SQLiteStore.describe("Tree 4 page 9 cell 2: overflow list length is 3 but should be 4", tables: tables)
            == "table blobs (tree 4) page 9 cell 2: overflow list length is 3 but should be 4")
        #expect(SQLiteStore.describe("Page 4: btreeInitPage() returns error code 11", tables: tables) == "page 4 (the root of table blobs): btreeInitPage() returns error code 11")
        #expect(SQLiteStore.describe("row 3 missing from index masks_model", tables: tables) == "row 3 missing from index masks_model")
    }
}
