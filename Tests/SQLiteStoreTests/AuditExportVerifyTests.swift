import Import
import Store
import Foundation
import GRDB
import GRDBSQLite
import NIfTI
import NIfTIFixtures
import Testing

@testable import SQLiteStore

struct AuditExportVerifyTests {
    let options = ImportOptions(command: "maskdb import masks masks.tsv")

    @Test func blobsOfEverySizeComeBackByteForByte() throws {
        // Small blobs are written in place into a zero-filled blob, large ones bound: both
        // must store exactly the bytes, in a file whose page cache they overflow.
        let scratch = try ScratchFolder(prefix: "maskdb-blobs")
        let store = try SQLiteStore.open(path: scratch.path("blobs.sqlite"), create: true)
        var state: UInt64 = 7
        let sizes = [0, 1, 65_535, 65_536, 3_000_001, SQLiteStore.inPlaceBlobLimit, SQLiteStore.inPlaceBlobLimit + 1, SQLiteStore.pageCacheBytes + 1]
        let blobs = sizes.map { size in
            let words = (0..<(size + 7) / 8).map { _ -> UInt64 in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return state
            }
            return words.withUnsafeBytes { Array($0.prefix(size)) }
        }
        let keys = try store.writeDatabase { db in try blobs.map { try SQLiteStore.storeBlob($0, in: db) } }
        #expect(keys == blobs.map { SHA256Digest.hex($0) })
        // Each stored blob's size and digest (digests, not the bytes: a failed comparison of
        // megabyte arrays takes the test runner minutes to print).
        func checkStored() throws {
            try store.read { db in
                for (key, blob) in zip(keys, blobs) {
                    let stored = try #require(try Row.fetchOne(db, sql: "SELECT size, bytes FROM blobs WHERE sha256 = ?", arguments: [key]))
                    let bytes = [UInt8](stored["bytes"] as Data? ?? Data())
                    #expect(stored["size"] as Int == blob.count && bytes.count == blob.count)
                    #expect(SHA256Digest.hex(bytes) == key, "blob of \(blob.count) bytes")
                }
            }
        }
        try checkStored()
        // Storing the same bytes again changes nothing, in that blob or in any other.
        #expect(try store.writeDatabase { db in try SQLiteStore.storeBlob(blobs[4], in: db) } == keys[4])
        // (Beside the atlas's two files, stored when the database was made.)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM blobs") } == sizes.count + 2)
        try checkStored()
    }

    @Test func importTimesAreUTCToTheSecond() throws {
        // 1796050266.75 s after 1970 is 2026-11-30 14:51:06.75 UTC; the fraction is dropped.
        #expect(SQLiteTransaction.timestamp(Date(timeIntervalSince1970: 1_796_050_266.75)) == "2026-11-30T14:51:06Z")
        #expect(SQLiteTransaction.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
    }

    @Test func auditNamesFoldRunAndLambdas() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.inMemory()
        let manifest = try fixture.smallStudy()
        _ = try store.importMasks(manifestPath: manifest, options: options)
        let path = fixture.folder.appendingPathComponent("f1r0l1.nii.gz").path
        let records = try store.audit(path)
        #expect(records.count == 1)
        let record = try #require(records.first)
        #expect(record.mask.fold == 1 && record.mask.run == 0)
        #expect(record.mask.lambda1 == 0.01 && record.mask.lambda2 == 0.001)
        #expect(record.importCommand == "maskdb import masks masks.tsv")
        #expect(record.manifestPath == manifest)
        #expect(record.manifestLine == 7)  // header, then f0r0 (2 rows), f0r1 (2), f1r0l0, f1r0l1
        #expect(try store.audit(String(record.mask.sha256.prefix(8))).map(\.mask.id) == [record.mask.id])
    }

    @Test func aFileUnderSeveralSettingsAuditsEachToItsOwnLine() throws {
        let fixture = try StudyFixture()
        try fixture.mask("one.nii.gz", seed: 3)
        try fixture.mask("other.nii.gz", seed: 5)
        let manifest = try fixture.manifest("masks.tsv", [
            "path\tfold\trun\tlambda1\tlambda2",
            "one.nii.gz\t0\t0\t0.1\t0.001", "other.nii.gz\t0\t0\t0.1\t0.001", "one.nii.gz\t0\t0\t0.2\t0.001",
        ])
        let store = try SQLiteStore.inMemory()
        _ = try store.importMasks(manifestPath: manifest, options: options)
        let records = try store.audit(fixture.folder.appendingPathComponent("one.nii.gz").path)
        #expect(records.map { "\($0.mask.lambda1!) line \($0.manifestLine ?? 0)" } == ["0.1 line 2", "0.2 line 4"])
    }

    @Test func unrecordedFileIsNotRecorded() throws {
        let fixture = try StudyFixture()
        let path = try fixture.mask("stranger.nii.gz", seed: 11)
        #expect(throws: StoreError.notRecorded(target: path)) { try SQLiteStore.inMemory().audit(path) }
        #expect(throws: StoreError.badTarget(target: "xyz")) { try SQLiteStore.inMemory().audit("xyz") }
    }

    @Test func verifyCatchesABytesFlippedBehindItsBack() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.open(path: fixture.databasePath, create: true)
        _ = try store.importMasks(manifestPath: try fixture.smallStudy(), options: options)
        #expect(try store.verify().isEmpty)
        let victim = try store.masks()[2]
        let before = try store.storedDensities(maskID: victim.id)
        let lost = before.regions[try #require(before.voxelCounts.firstIndex { $0 > 0 })].label  // a region on the mask's grid
        try store.writeDatabase { db in
            var bytes = [UInt8](try Data.fetchOne(db, sql: "SELECT bytes FROM blobs WHERE sha256 = ?", arguments: [victim.sha256])!)
            bytes[bytes.count / 2] ^= 0x01
            try db.execute(sql: "UPDATE blobs SET bytes = ? WHERE sha256 = ?", arguments: [Data(bytes), victim.sha256])
            try db.execute(sql: "DELETE FROM mask_densities WHERE mask_id = ? AND label = ?", arguments: [victim.id, lost])
        }
        let regions = try store.atlasRegions(named: "aal2").count
        #expect(try store.verify() == [
            "blob \(victim.sha256): its bytes no longer hash to their sha256 (altered)",
            "mask \(victim.id): \(regions - 1) of its \(regions) region densities are stored",
            "mask \(victim.id): its packed density vector is not its region densities",
        ])
    }

    /// The analyses read the packed vectors (`density_vectors`): one damaged or missing is
    /// an error naming the mask, never a vector of nils, and `verify` names it too.
    @Test func aDamagedPackedVectorIsAnErrorNotAWrongAnalysis() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.open(path: fixture.databasePath, create: true)
        _ = try store.importMasks(manifestPath: try fixture.smallStudy(), options: options)
        let labels = try store.atlasRegions(named: "aal2").map(\.label)
        let ids = try store.masks().map(\.id)
        // Intact, they are the rows, region by region.
        let vectors = try store.densityVectors(maskIDs: ids, labels: labels)
        for id in ids {
            let stored = try store.storedDensities(maskID: id)
            #expect(vectors[id]?.densities == stored.densities && vectors[id]?.voxels == stored.voxelCounts)
        }
        let (cut, gone) = (ids[1], ids[2])
        try store.writeDatabase { db in
            try db.execute(sql: "UPDATE density_vectors SET densities = substr(densities, 1, 80) WHERE mask_id = ?", arguments: [cut])
        }
        #expect(throws: StoreError.database(
            path: fixture.databasePath,
            message: "mask \(cut)'s stored density vector is damaged (it does not hold its atlas's \(labels.count) regions); run 'maskdb verify'")
        ) { try store.densityVectors(maskIDs: ids, labels: labels) }
        try store.writeDatabase { db in
            try db.execute(sql: "DELETE FROM density_vectors WHERE mask_id = ?", arguments: [gone])
        }
        #expect(throws: StoreError.database(
            path: fixture.databasePath, message: "mask \(gone)'s stored density vector is damaged (it has none); run 'maskdb verify'")
        ) { try store.densityVectors(maskIDs: [gone], labels: labels) }
        #expect(try store.verify() == [
            "mask \(cut): its packed density vector is not its region densities",
            "mask \(gone): its packed density vector is missing",
        ])
    }

    @Test func newerSchemasAreRefused() throws {
        let fixture = try StudyFixture()
        _ = try SQLiteStore.open(path: fixture.databasePath, create: true)
        let queue = try DatabaseQueue(path: fixture.databasePath)
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('0099_future')") }
        #expect(throws: StoreError.newerSchema(path: fixture.databasePath, unknown: ["0099_future"])) {
            try SQLiteStore.open(path: fixture.databasePath, create: false)
        }
    }

    @Test func notADatabaseSaysSo() throws {
        let fixture = try StudyFixture()
        let path = try fixture.mask("mask.nii.gz", seed: 3)
        #expect(throws: StoreError.notADatabase(path: path)) { try SQLiteStore.open(path: path, create: false) }
        #expect(throws: StoreError.noDatabase(path: "/no/such.sqlite")) { try SQLiteStore.open(path: "/no/such.sqlite", create: false) }
        let nowhere = #expect(throws: StoreError.self) { try SQLiteStore.open(path: "/no/such/folder/x.sqlite", create: true) }
        #expect(nowhere?.description == "/no/such/folder/x.sqlite: its folder /no/such/folder does not exist; create it first")
        // Paths SQLite would take for a database kept in memory, gone when the command ends.
        for vanishing in ["", ":memory:", "file:x.sqlite?mode=memory"] {
            let error = #expect(throws: StoreError.self) { try SQLiteStore.open(path: vanishing, create: true) }
            #expect(error?.description == "\(vanishing): not a database file's path; give --db a file's path")
        }
    }

    @Test func aServerURLIsRefusedWithItsPasswordRedactedAndNoFileMade() throws {
        let url = "postgresql://lab:s3cr@t@db.example:5432/study"
        let error = #expect(throws: StoreError.self) { try SQLiteStore.open(path: url, create: true) }
        #expect(error?.description == "postgresql://lab:***@db.example:5432/study: a PostgreSQL server's database; this build of maskdb keeps studies in SQLite files only (the PostgreSQL backend is not built yet); give --db a file's path")
        let query = #expect(throws: StoreError.self) { try SQLiteStore.query(path: "postgres://lab:pw@db/study", sql: "SELECT 1") }
        #expect(query?.description.hasPrefix("postgres://lab:***@db/study: a PostgreSQL server's database;") == true)
        // Taken as a path, the URL would have been a file in a folder `postgresql:` here.
        #expect(!FileManager.default.fileExists(atPath: "postgresql:"))
    }

    @Test func serverURLsLoseTheirPasswords() {
        let cases = [
            ("postgresql://lab:pw@host/db", "postgresql://lab:***@host/db"),
            ("postgres://lab@host:5433/db?sslmode=require", "postgres://lab@host:5433/db?sslmode=require"),
            ("postgresql://host/db?user=lab&password=pw&sslmode=disable", "postgresql://host/db?user=lab&password=***&sslmode=disable"),
            ("postgresql://lab:p%40ss@host", "postgresql://lab:***@host"),
            ("postgresql:///db?host=/tmp/socket", "postgresql:///db?host=/tmp/socket"),
        ]
        for (url, shown) in cases { #expect(ServerAddress.redacted(url) == shown) }
        #expect(ServerAddress.isServer("PostgreSQL://h/d") && !ServerAddress.isServer("study.sqlite"))
    }

    @Test func aJournalLeftByAnInterruptedImportIsExplainedToReadOnlyQueries() throws {
        let fixture = try StudyFixture()
        let path = fixture.databasePath
        _ = try SQLiteStore.open(path: path, create: true)
        // The file and its journal as a killed import leaves them: a copy taken while a write
        // transaction has changed the file, the original pages being in the journal.
        let copy = path + "-copy.sqlite"
        let queue = try DatabaseQueue(path: path)
        try queue.inDatabase { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            try db.execute(sql: "INSERT INTO studies (name) VALUES ('half-written')")
            #expect(sqlite3_db_cacheflush(db.sqliteConnection) == SQLITE_OK)
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            try FileManager.default.copyItem(atPath: path + "-journal", toPath: copy + "-journal")
            try db.execute(sql: "ROLLBACK")
        }
        let error = #expect(throws: StoreError.self) { try SQLiteStore.query(path: copy, sql: "SELECT count(*) FROM studies") }
        #expect(error?.description == "\(copy): has an unfinished write (a hot journal, \(copy)-journal) that a read-only open cannot roll back; someone who can write to \(fixture.folder.path) and the file must run 'maskdb verify --db \(copy)', then run this again")
        // As it says: a command that opens it for writing rolls the interrupted transaction back.
        #expect(try SQLiteStore.open(path: copy, create: false).studyNames().contains("half-written") == false)
        #expect(try SQLiteStore.query(path: copy, sql: "SELECT count(*) FROM studies WHERE name = 'half-written'").rows == [[SQLResult.Value.integer(0)]])
    }
}
