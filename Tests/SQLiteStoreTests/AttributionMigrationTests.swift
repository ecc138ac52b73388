import Store
import Foundation
import GRDB
import Testing

@testable import SQLiteStore

/// A database of 0005's era, with data: 0007 rebuilds `masks` (λs may be NULL for maps,
/// method and subject added) keeping every record, density, evaluation and reference.
struct AttributionMigrationTests {
    static let digest = String(repeating: "a", count: 64)

    @Test func aDatabaseOfTheCorrectionsEraKeepsEveryRecordAndReference() throws {
        let fixture = try StudyFixture()
        let queue = try DatabaseQueue(path: fixture.databasePath)
        try SQLiteStore.migrator.migrate(queue, upTo: "0005_corrections")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO studies (id, name) VALUES (1, 's');
                INSERT INTO blobs VALUES ('\(Self.digest)', 1, x'00');
                INSERT INTO imports (id, started_at, finished_at, command, kind, outcome) VALUES (1, 't', 't', 'c', 'masks', 'ok');
                INSERT INTO atlases (id, name, image_sha256, labels_sha256) VALUES (7, 'aal2', '\(Self.digest)', '\(Self.digest)');
                INSERT INTO atlas_regions (atlas_id, label, name) VALUES (7, 1, 'A_L'), (7, 2, 'A_R');
                INSERT INTO models (id, study_id, fold, run) VALUES (1, 1, 0, 0), (2, 1, 0, 1);
                INSERT INTO masks (id, model_id, lambda1, lambda2, beta1, semantics, params, annotations, atlas_id, nifti_sha256, dim_x, dim_y, dim_z, affine, source_path, import_id)
                VALUES (4, 1, 0.1, 0.001, 1, 'keep', '{"lr":"0.1"}', '{"job":"7"}', 7, '\(Self.digest)', 2, 3, 4, '[1]', 'a.nii.gz', 1),
                       (9, 2, 0.01, 0.002, NULL, 'perturb', '{}', '{}', 7, '\(Self.digest)', 2, 3, 4, '[1]', 'b.nii.gz', 1);
                INSERT INTO mask_densities (mask_id, atlas_id, label, density, voxels) VALUES (4, 7, 1, 0.25, 10), (4, 7, 2, 0.5, 12), (9, 7, 1, 0.75, 10);
                INSERT INTO evaluations (id, mask_id, model_id, probability, import_id) VALUES (1, 4, 2, 0.3, 1);
                INSERT INTO corrections (id, at, command, kind) VALUES (1, 't', 'rm', 'rm');
                INSERT INTO record_history (correction_id, record_kind, record_id, sha256, action, previous)
                VALUES (1, 'mask', 3, '\(Self.digest)', 'removed', '{"id":3}');
                -- What a concurrent migration (0006) may add: a table and a view naming masks.
                CREATE TABLE mask_notes (mask_id INTEGER NOT NULL REFERENCES masks(id) ON DELETE CASCADE, note TEXT);
                INSERT INTO mask_notes VALUES (9, 'checked');
                CREATE VIEW mask_note_paths AS SELECT masks.source_path AS source, mask_notes.note FROM mask_notes JOIN masks ON masks.id = mask_notes.mask_id;
                """)
        }
        try queue.close()

        let store = try SQLiteStore.open(path: fixture.databasePath, create: false)
        let masks = try store.masks()
        #expect(masks.map(\.id) == [4, 9])
        #expect(masks.map { "\($0.lambda1!) \($0.lambda2!) \($0.beta1.map { "\($0)" } ?? "-") \($0.semantics) \($0.params.json) \($0.annotations.json)" }
            == [#"0.1 0.001 1.0 keep {"lr":"0.1"} {"job":"7"}"#, "0.01 0.002 - perturb {} {}"])
        #expect(masks.allSatisfy { $0.method == "" && $0.subject == "" && $0[.kind] == .text("mask") })
        let counts = try store.read { db in
            try ["mask_densities", "evaluations", "record_history", "mask_notes"].map { try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)")! }
        }
        #expect(counts == [3, 1, 1, 1])
        #expect(try store.storedDensities(maskID: 4).densities == [0.25, 0.5])
        #expect(try store.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM pragma_foreign_key_check") } == 0)
        // The other migration's view reads the new table; its table's reference still cascades.
        #expect(try store.read { try String.fetchAll($0, sql: "SELECT source FROM mask_note_paths") } == ["b.nii.gz"])
        #expect(try store.read { try String.fetchAll($0, sql: "SELECT sql FROM sqlite_master WHERE name = 'mask_notes'") }.first?.contains("REFERENCES masks(id)") == true)
        try store.writeDatabase { db in
            // A map without λ is recordable now; a mask without them is not.
            try db.execute(sql: """
                INSERT INTO masks (model_id, semantics, method, subject, atlas_id, nifti_sha256, dim_x, dim_y, dim_z, affine, source_path, import_id)
                VALUES (1, 'attribution', 'gradients', 'sub-003', 7, '\(Self.digest)', 2, 3, 4, '[1]', 'g.nii.gz', 1)
                """)
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: """
                    INSERT INTO masks (model_id, semantics, atlas_id, nifti_sha256, dim_x, dim_y, dim_z, affine, source_path, import_id)
                    VALUES (1, 'keep', 7, '\(Self.digest)', 2, 3, 4, '[1]', 'k.nii.gz', 1)
                    """)
            }
            try db.execute(sql: "DELETE FROM evaluations; DELETE FROM masks WHERE id = 9")
        }
        #expect(try store.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM mask_notes") } == 0)
        #expect(try store.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM mask_densities WHERE mask_id = 9") } == 0)
        #expect(try store.masks().last.map { "\($0.semantics) \($0.method) \($0.subject) \($0[.kind])" } == "attribution gradients sub-003 attribution")
        #expect(try store.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM pragma_foreign_key_check") } == 0)
    }

    @Test func aMaskKeptInTheHistoryBeforeMapsStillReadsBack() throws {
        // As 0005's history kept a mask: no method nor subject, λs always there.
        let old = #"{"annotations":{},"atlas":"aal2","beta1":1,"fold":0,"id":3,"imported_at":"t","lambda1":0.1,"lambda2":0.001,"model":"","params":{},"run":1,"semantics":"keep","sha256":"\#(Self.digest)","source":"a.nii.gz","study":"s","subjects":"AD"}"#
        let record = try HistoryJSON.decode(MaskRecord.self, from: old)
        #expect(record.lambda1 == 0.1 && record.method == "" && record.subject == "" && record.beta2 == nil)
        // A map without λ goes in and out without them.
        var map = record
        (map.lambda1, map.lambda2, map.semantics, map.method) = (nil, nil, .attribution, "gradients")
        let json = try HistoryJSON.encode(map)
        #expect(!json.contains("lambda1") && json.contains(#""method":"gradients""#))
        #expect(try HistoryJSON.decode(MaskRecord.self, from: json) == map)
    }
}
