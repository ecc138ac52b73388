import Foundation
import GRDB
import Import
import Store
import StudyCore
import Testing

@testable import SQLiteStore

/// Corrections through the store protocol: what `--replace` amends, what removals keep in
/// the history, which blobs gc may delete, and that a dry run rolls everything back.
struct CorrectionsTests {
    let options = ImportOptions(command: "test")
    var replacing: ImportOptions { ImportOptions(replace: true, command: "test --replace") }

    /// The history's rows: kind, id, action, previous.
    func history(_ store: SQLiteStore) throws -> [(kind: String, id: Int64?, action: String, previous: String)] {
        try store.read { db in
            try Row.fetchAll(db, sql: "SELECT record_kind, record_id, action, previous FROM record_history ORDER BY id").map {
                ($0["record_kind"], $0["record_id"], $0["action"], $0["previous"])
            }
        }
    }

    @Test func removingAMaskKeepsEveryFieldOfItAndItsEvaluations() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.inMemory()
        _ = try store.importMasks(manifestPath: try fixture.smallStudy(), options: options)
        let evaluations = try fixture.manifest("e.tsv", ["mask\tfold\trun\tprobability\tn", "1\t1\t0\t0.3\t40", "1\t1\t1\t0.2\t"])
        #expect(try store.importEvaluations(manifestPath: evaluations, options: options).added == 2)
        let mask = try store.masks(ids: [1])[0]
        let evaluated = try store.evaluations(maskIDs: [1])

        let removed = try store.removeMasks([1], command: "maskdb rm 1", dryRun: false)
        #expect(removed == [RemovedMask(mask: mask, densities: 120, evaluations: 2)])
        #expect(try store.masks().count == 7 && store.count("evaluations") == 0 && store.count("mask_densities") == 7 * 120)
        let kept = try history(store)
        #expect(kept.map { "\($0.kind) \($0.id ?? -1) \($0.action)" } == ["evaluation 1 removed", "evaluation 2 removed", "mask 1 removed"])
        #expect(try HistoryJSON.decode(MaskRecord.self, from: kept[2].previous) == mask)
        #expect(try kept[0...1].map { try HistoryJSON.decode(EvaluationRecord.self, from: $0.previous) } == evaluated)
        #expect(try store.verify().isEmpty)
        // The model stays, with nothing else gone.
        #expect(try store.models().count == 4)
    }

    @Test func replaceAmendsTheOneRecordOfTheFileForItsModelAndAtlas() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.inMemory()
        try fixture.mask("a.nii.gz", seed: 5)
        let typo = try fixture.manifest("typo.tsv", ["path\tfold\trun\tlambda1\tlambda2\tsetting.optimizer", "a.nii.gz\t0\t0\t1.0\t0.001\tadam"])
        _ = try store.importMasks(manifestPath: typo, options: options)
        let fixed = try fixture.manifest("fixed.tsv", ["path\tfold\trun\tlambda1\tlambda2\tsetting.optimizer", "a.nii.gz\t0\t0\t0.1\t0.001\tsgd"])
        // Without --replace: today's behaviour, a second record.
        #expect(try store.importMasks(manifestPath: fixed, options: ImportOptions(dryRun: true, command: "dry")).added == 1)
        let summary = try store.importMasks(manifestPath: fixed, options: replacing)
        #expect(summary.replaced == 1 && summary.added == 0)
        #expect(summary.rows[0].message == "mask 1: λ1 1 → 0.1, params.optimizer adam → sgd")
        let masks = try store.masks()
        #expect(masks.map { "\($0.id) \($0.lambda1!) \($0.params.json)" } == ["1 0.1 {\"optimizer\":\"sgd\"}"])
        #expect(try store.read { try String.fetchOne($0, sql: "SELECT outcome FROM import_rows WHERE import_id = (SELECT max(id) FROM imports)") } == "replaced")
        // For another model the same file is another record: added, not amended.
        let other = try fixture.manifest("other.tsv", ["path\tfold\trun\tlambda1\tlambda2", "a.nii.gz\t1\t0\t0.5\t0.001"])
        #expect(try store.importMasks(manifestPath: other, options: replacing).added == 1)
        // Two records of the file for one model, neither with the row's settings: ambiguous, refused.
        let second = try fixture.manifest("second.tsv", ["path\tfold\trun\tlambda1\tlambda2", "a.nii.gz\t1\t0\t0.7\t0.001"])
        #expect(try store.importMasks(manifestPath: second, options: options).added == 1)
        #expect(try store.importMasks(manifestPath: second, options: replacing).unchanged == 1)  // one of them has exactly these settings
        let third = try fixture.manifest("third.tsv", ["path\tfold\trun\tlambda1\tlambda2", "a.nii.gz\t1\t0\t0.9\t0.001"])
        let refused = try store.importMasks(manifestPath: third, options: replacing)
        #expect(refused.rejected.map(\.message) == [
            "--replace: this file is recorded 2 times for this model and atlas (masks 2, 3), none with these settings; remove the wrong ones with 'maskdb rm', then import again",
        ])
        #expect(try store.masks().map(\.lambda1) == [0.1, 0.5, 0.7])
        // Two rows of one manifest for the same file and model: the second does not amend the first's amendment.
        let twice = try fixture.manifest("twice.tsv", ["path\tfold\trun\tlambda1\tlambda2", "a.nii.gz\t0\t0\t0.2\t0.001", "a.nii.gz\t0\t0\t0.3\t0.001"])
        let rows = try store.importMasks(manifestPath: twice, options: replacing).rows
        #expect(rows.map(\.outcome) == [.replaced, .rejected])
        #expect(try store.masks(ids: [1])[0].lambda1 == 0.2)
        #expect(try store.verify().isEmpty)
    }

    @Test func amendingTheSemanticsRemeasuresTheDensities() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.inMemory()
        try fixture.mask("a.nii.gz", seed: 5)
        let keep = try fixture.manifest("keep.tsv", ["path\tfold\trun\tlambda1\tlambda2", "a.nii.gz\t0\t0\t0.1\t0.001"])
        let perturb = try fixture.manifest("perturb.tsv", ["path\tfold\trun\tlambda1\tlambda2\tsemantics", "a.nii.gz\t0\t0\t0.1\t0.001\tperturb"])
        _ = try store.importMasks(manifestPath: keep, options: options)
        #expect(try store.importMasks(manifestPath: perturb, options: replacing).rows[0].message == "mask 1: semantics keep → perturb")
        // As a database that recorded it as perturb in the first place.
        let fresh = try SQLiteStore.inMemory()
        _ = try fresh.importMasks(manifestPath: perturb, options: options)
        #expect(try store.storedDensities(maskID: 1) == fresh.storedDensities(maskID: 1))
        #expect(try store.verify().isEmpty)
    }

    @Test func replacingAModelKeepsWhatItWas() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.inMemory()
        let first = try fixture.manifest("a.tsv", ["fold\trun\tarchitecture\tparams.lr\tmetric.test.accuracy", "0\t0\tA\t0.001\t0.8"])
        _ = try store.importModels(manifestPath: first, options: options)
        let before = try store.models()[0]
        let second = try fixture.manifest("b.tsv", ["fold\trun\tarchitecture\tparams.lr\tmetric.test.accuracy", "0\t0\tB\t0.01\t0.85"])
        let summary = try store.importModels(manifestPath: second, options: replacing)
        #expect(summary.replaced == 1)
        #expect(summary.rows[0].message == "model 1: architecture 'A' → 'B', params.lr 0.001 → 0.01, metric.test.accuracy 0.8 → 0.85")
        let after = try store.models()[0]
        #expect(after.architecture == "B" && after.params.json == "{\"lr\":\"0.01\"}" && after.metrics.map(\.value) == [0.85])
        let kept = try history(store)
        #expect(kept.count == 1 && kept[0].kind == "model" && kept[0].action == "amended")
        #expect(try HistoryJSON.decode(ModelRecord.self, from: kept[0].previous) == before)
    }

    @Test func gcNeverDeletesAReferencedBlob() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.inMemory()
        _ = try store.importMasks(manifestPath: try fixture.smallStudy(), options: options)
        try Data([1, 2, 3, 4]).write(to: fixture.folder.appendingPathComponent("w.pt"))
        _ = try store.importModels(manifestPath: try fixture.manifest("m.tsv", ["fold\trun\tweights", "0\t0\tw.pt"]), options: options)
        let blobs = try store.count("blobs")  // 8 masks, the atlas's image and labels, the weights
        #expect(blobs == 11)
        #expect(try store.write { try $0.unreferencedBlobs() }.isEmpty)
        let stray = SHA256Digest.hex([9, 9])
        try store.write { try $0.storeBlob([9, 9], sha256: stray) }
        #expect(try store.collectGarbage(command: "gc", dryRun: true) == CollectedGarbage(blobs: [UnreferencedBlob(sha256: stray, size: 2)]))
        #expect(try store.count("blobs") == blobs + 1)
        #expect(try store.collectGarbage(command: "gc", dryRun: false).bytes == 2)
        #expect(try store.count("blobs") == blobs)
        // A removed mask's file is unreferenced only once no other record has it.
        _ = try store.removeMasks([1], command: "rm", dryRun: false)
        #expect(try store.collectGarbage(command: "gc", dryRun: false).blobs.count == 1)
        #expect(try store.count("blobs") == blobs - 1)
        #expect(try store.verify().isEmpty)
        // And a referenced one cannot go, even asked directly: the foreign keys refuse it.
        let weights = SHA256Digest.hex([1, 2, 3, 4])
        #expect(throws: (any Error).self) {
            try store.write { transaction in try transaction.removeBlob(weights, correctionID: try transaction.beginCorrection(.gc, command: "gc")) }
        }
        #expect(try store.count("blobs") == blobs - 1)
    }

    @Test func aDryRunLeavesTheFileAsItWas() throws {
        let fixture = try StudyFixture()
        let store = try SQLiteStore.open(path: fixture.databasePath, create: true)
        let manifest = try fixture.smallStudy()
        let dry = try store.importMasks(manifestPath: manifest, options: ImportOptions(dryRun: true, command: "dry"))
        #expect(dry.dryRun && dry.added == 8)
        _ = try store.importMasks(manifestPath: try fixture.manifest("one.tsv", ["path\tfold\trun\tlambda1\tlambda2\tsubjects\tsetting.optimizer", "f0r0l0.nii.gz\t0\t0\t0.1\t0.001\tAD\tadam"]), options: options)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture.databasePath))
        #expect(try store.importMasks(manifestPath: manifest, options: ImportOptions(dryRun: true, command: "dry")).added == 7)
        #expect(try store.removeMasks([1], command: "rm", dryRun: true).count == 1)
        #expect(try store.collectGarbage(command: "gc", dryRun: true).blobs.isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: fixture.databasePath)) == bytes)
        #expect(try store.masks().count == 1 && store.count("corrections") == 0)
    }
}

/// A database made before corrections: migration 0005 rebuilds `import_rows` keeping every row.
struct CorrectionsMigrationTests {
    @Test func aDatabaseOfAnEarlierVersionKeepsItsAuditLog() throws {
        let fixture = try StudyFixture()
        let queue = try DatabaseQueue(path: fixture.databasePath)
        try SQLiteStore.migrator.migrate(queue, upTo: "0003_evaluation_settings_view")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO imports (started_at, finished_at, command, kind, outcome) VALUES ('t', 't', 'maskdb import masks m.tsv', 'masks', 'partial');
                INSERT INTO import_rows (import_id, line, path, sha256, outcome, message) VALUES (1, 2, 'a.nii.gz', NULL, 'added', NULL), (1, 3, 'b.nii.gz', NULL, 'rejected', 'gone');
                """)
        }
        try queue.close()
        let store = try SQLiteStore.open(path: fixture.databasePath, create: false)
        let rows = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT import_id, line, path, outcome, message FROM import_rows ORDER BY line").map {
                "\($0["import_id"] as Int64) \($0["line"] as Int) \($0["path"] as String) \($0["outcome"] as String) \(($0["message"] as String?) ?? "-")"
            }
        }
        #expect(rows == ["1 2 a.nii.gz added -", "1 3 b.nii.gz rejected gone"])
        #expect(try store.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM pragma_foreign_key_check") } == 0)
        #expect(try store.verify().isEmpty)
    }
}
