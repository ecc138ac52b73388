import Atlas
import Foundation
import GRDB
import Store
import StudyCore
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

/// Databases made before AAL2's orbitofrontal names were corrected get them by migration.
struct AAL2CorrectionMigrationTests {
    @Test func anOlderDatabaseGetsTheCorrectedNamesAndLabelTable() throws {
        let folder = try ForeignDatabaseTests.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("old.sqlite").path
        let store = try SQLiteStore.open(path: path, create: true)
        try store.initialize(study: nil, command: "test")
        // Put the database back as an earlier maskdb left it: Clinica's names and table, no 0002.
        let corrected = Array(Atlas.aal2Files.labels)
        let clinica = Array(String(decoding: corrected, as: UTF8.self)
            .replacingOccurrences(of: "2801\tOFCmed_L", with: "2801\tFCmed_L")
            .replacingOccurrences(of: "2822\tOFCpost_R", with: "2822\tCFCpost_R").utf8)
        let clinicaSHA = SHA256Digest.hex(clinica)
        #expect(clinicaSHA == "65da19065afbfdb9b9dada90c04841af88f40c4c5141f488a06da1d9a67b6b13")  // Atlases/PROVENANCE.md
        try store.writeDatabase { db in
            try SQLiteStore.storeBlob(clinica, in: db)
            try db.execute(sql: "UPDATE atlases SET labels_sha256 = ? WHERE name = 'aal2'", arguments: [clinicaSHA])
            try db.execute(sql: "UPDATE atlas_regions SET name = 'FCmed_L' WHERE label = 2801")
            try db.execute(sql: "UPDATE atlas_regions SET name = 'CFCpost_R' WHERE label = 2822")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = '0002_aal2_orbitofrontal_names'")
        }
        let reopened = try SQLiteStore.open(path: path, create: false)
        let names = Dictionary(uniqueKeysWithValues: try reopened.atlasRegions(named: "aal2").map { ($0.label, $0.name) })
        #expect(names[2801] == "OFCmed_L" && names[2822] == "OFCpost_R")
        #expect(try reopened.atlasFiles(named: "aal2").labels == corrected)
        #expect(try reopened.verify().isEmpty)
    }
}

struct ParametersAsTextMigrationTests {
    /// Earlier imports stored number-like cells as JSON numbers; 0004 turns them into the
    /// text those imports read them from (written shortest), leaving text as it was.
    @Test func numbersBecomeTheTextTheyWereReadFrom() throws {
        let folder = try ForeignDatabaseTests.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("old.sqlite").path
        let queue = try DatabaseQueue(path: path)
        try SQLiteStore.migrator.migrate(queue, upTo: "0003_evaluation_settings_view")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO studies (id, name) VALUES (1, 's');
                INSERT INTO blobs VALUES ('\(String(repeating: "a", count: 64))', 1, x'00');
                INSERT INTO imports (id, started_at, finished_at, command, kind, outcome) VALUES (1, 't', 't', 'c', 'masks', 'ok');
                INSERT INTO atlases (id, name, image_sha256, labels_sha256) VALUES (1, 'aal2', '\(String(repeating: "a", count: 64))', '\(String(repeating: "a", count: 64))');
                INSERT INTO models (id, study_id, fold, run, params) VALUES (1, 1, 0, 0, '{"dropout":0.5,"opt":"adam"}');
                INSERT INTO masks (model_id, lambda1, lambda2, semantics, params, atlas_id, nifti_sha256, dim_x, dim_y, dim_z, affine, source_path, import_id)
                VALUES (1, 0.1, 0.001, 'keep', '{"lr":1e-05,"name":"007","seed":7}', 1, '\(String(repeating: "a", count: 64))', 1, 1, 1, '[]', 'm.nii.gz', 1);
                """)
        }
        try queue.close()
        let store = try SQLiteStore.open(path: path, create: false)
        let mask = try #require(try store.masks().first)
        #expect(mask.params.json == #"{"lr":"1e-05","name":"007","seed":"7"}"#)
        #expect(mask.annotations.isEmpty)
        #expect(try store.models().map(\.params.json) == [#"{"dropout":"0.5","opt":"adam"}"#])
        // What the import of `1e-05` wrote then is what it writes now.
        #expect(Parameters.Value.number(1e-05).text == "1e-05")
    }
}
