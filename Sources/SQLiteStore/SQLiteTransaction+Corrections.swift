import Atlas
import Foundation
import GRDB
import Store
import StudyCore

/// Corrections in SQL: every amendment and removal first copies the record's fields into
/// `record_history`, so that nothing a record held is lost.
extension SQLiteTransaction {
    func beginCorrection(_ kind: CorrectionKind, command: String) throws -> Int64 {
        try db.execute(
            sql: "INSERT INTO corrections (at, command, kind, after_import_id) VALUES (?, ?, ?, (SELECT max(id) FROM imports))",
            arguments: [Self.timestamp(Date()), command, kind.rawValue])
        return db.lastInsertedRowID
    }

    /// Keeps a record's previous fields in the history, under the import or the correction that changes it.
    private func keep(
        _ kind: HistoryRecordKind, id: Int64?, sha256: String?, action: HistoryAction, previous: String,
        importID: Int64? = nil, correctionID: Int64? = nil
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO record_history (import_id, correction_id, record_kind, record_id, sha256, action, previous)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [importID, correctionID, kind.rawValue, id, sha256, action.rawValue, previous])
    }

    func masks(sha256: String, model: ModelKey, atlasID: Int64) throws -> [MaskRecord] {
        try MaskRowReader.records(
            db,
            sql: """
                \(MaskRecord.select) JOIN masks ON masks.id = mask_settings.id
                WHERE masks.nifti_sha256 = ? AND masks.atlas_id = ?
                  AND mask_settings.study = ? AND mask_settings.fold = ? AND mask_settings.run = ? AND mask_settings.model = ?
                ORDER BY mask_settings.id
                """, arguments: [sha256, atlasID, model.study, model.fold, model.run, model.name])
    }

    func masks(ids: [Int64]) throws -> [MaskRecord] {
        try SQLiteStore.masks(ids: ids, in: db)
    }

    func amendMask(_ id: Int64, to mask: NewMask, importID: Int64) throws {
        guard let previous = try masks(ids: [id]).first else { throw StoreError.notRecorded(target: "\(id)") }
        try keep(.mask, id: id, sha256: previous.sha256, action: .amended, previous: HistoryJSON.encode(previous), importID: importID)
        try db.execute(
            sql: """
                UPDATE masks SET lambda1 = ?, lambda2 = ?, beta1 = ?, beta2 = ?, subjects = ?, semantics = ?, method = ?,
                                 subject = ?, params = ?, annotations = ?, source_path = ?
                WHERE id = ?
                """,
            arguments: [
                mask.lambda1, mask.lambda2, mask.beta1, mask.beta2, mask.subjects, mask.semantics, mask.method, mask.subject,
                mask.params.json, mask.annotations.json, mask.sourcePath, id,
            ])
        // The densities are of the perturbation (or of |a|), which the semantics decide.
        guard previous.semantics != mask.semantics else { return }
        try db.execute(sql: "DELETE FROM mask_densities WHERE mask_id = ?; DELETE FROM density_vectors WHERE mask_id = ?", arguments: [id, id])
        switch mask.measurement {
        case let .new(_, _, _, densities):
            try insertDensities(densities, maskID: id, atlasID: mask.atlasID)
        case .recorded:
            guard let measured = try Int64.fetchOne(
                db, sql: "SELECT id FROM masks WHERE nifti_sha256 = ? AND atlas_id = ? AND semantics = ? AND \(SQLiteTransaction.gridKey) IS ? AND id <> ? LIMIT 1",
                arguments: [mask.sha256, mask.atlasID, mask.semantics, mask.grid?.key, id])
            else { throw StoreError.database(path: mask.sourcePath, message: "its recorded measurement disappeared during the import") }
            try copyDensities(from: measured, to: id)
        }
    }

    func evaluationRecord(_ e: NewEvaluation) throws -> EvaluationRecord? {
        try EvaluationRecord.fetchOne(
            db,
            sql: Self.evaluationSelect + " WHERE evaluations.mask_id = ? AND evaluations.model_id = ? AND evaluations.subjects = ? AND evaluations.true_label = ?",
            arguments: [e.mask, e.model, e.subjects, e.trueLabel])
    }

    /// An evaluation's record (and its id and mask's sha256, for the history).
    private static let evaluationSelect = """
        SELECT evaluations.id AS evaluation_id, masks.nifti_sha256 AS mask_sha256, evaluations.mask_id, studies.name AS study,
               models.fold, models.run, models.name AS model, evaluations.subjects, evaluations.true_label,
               evaluations.probability, evaluations.n
        FROM evaluations JOIN models ON models.id = evaluations.model_id JOIN studies ON studies.id = models.study_id
        JOIN masks ON masks.id = evaluations.mask_id
        """

    func amendEvaluation(_ e: NewEvaluation, importID: Int64) throws {
        guard let row = try Row.fetchOne(
            db, sql: Self.evaluationSelect + " WHERE evaluations.mask_id = ? AND evaluations.model_id = ? AND evaluations.subjects = ? AND evaluations.true_label = ?",
            arguments: [e.mask, e.model, e.subjects, e.trueLabel])
        else { throw StoreError.notRecorded(target: "evaluation of mask \(e.mask)") }
        let id: Int64 = row["evaluation_id"]
        try keep(
            .evaluation, id: id, sha256: row["mask_sha256"], action: .amended,
            previous: HistoryJSON.encode(EvaluationRecord(row: row)), importID: importID)
        try db.execute(sql: "UPDATE evaluations SET probability = ?, n = ? WHERE id = ?", arguments: [e.probability, e.n, id])
    }

    func modelRecord(_ id: Int64) throws -> ModelRecord {
        guard let model = try SQLiteStore.models(where: .equal(.id, .number(Double(id))), in: db).first else {
            throw StoreError.notRecorded(target: "model \(id)")
        }
        return model
    }

    func keepModelHistory(_ id: Int64, importID: Int64) throws {
        let model = try modelRecord(id)
        try keep(.model, id: id, sha256: model.weightsSHA256, action: .amended, previous: HistoryJSON.encode(model), importID: importID)
    }

    func setMetric(model id: Int64, dataset: String, metric: String, value: Double) throws {
        try db.execute(
            sql: """
                INSERT INTO model_metrics (model_id, dataset, metric, value) VALUES (?, ?, ?, ?)
                ON CONFLICT (model_id, dataset, metric) DO UPDATE SET value = excluded.value
                """, arguments: [id, dataset, metric, value])
    }

    func removeMask(_ id: Int64, correctionID: Int64) throws -> RemovedMask {
        guard let mask = try masks(ids: [id]).first else { throw StoreError.notRecorded(target: "\(id)") }
        // Evaluations refer to the mask without a cascade: each goes into the history first.
        let evaluations = try Row.fetchAll(db, sql: Self.evaluationSelect + " WHERE evaluations.mask_id = ? ORDER BY evaluations.id", arguments: [id])
        for row in evaluations {
            try keep(
                .evaluation, id: row["evaluation_id"], sha256: mask.sha256, action: .removed,
                previous: HistoryJSON.encode(EvaluationRecord(row: row)), correctionID: correctionID)
        }
        try db.execute(sql: "DELETE FROM evaluations WHERE mask_id = ?", arguments: [id])
        let densities = try Int.fetchOne(db, sql: "SELECT count(*) FROM mask_densities WHERE mask_id = ?", arguments: [id]) ?? 0
        try keep(.mask, id: id, sha256: mask.sha256, action: .removed, previous: HistoryJSON.encode(mask), correctionID: correctionID)
        try db.execute(sql: "DELETE FROM masks WHERE id = ?", arguments: [id])  // its densities cascade
        return RemovedMask(mask: mask, densities: densities, evaluations: evaluations.count)
    }

    func removeModel(_ id: Int64, correctionID: Int64) throws {
        let model = try modelRecord(id)
        let evaluations = try Int.fetchOne(db, sql: "SELECT count(*) FROM evaluations WHERE model_id = ?", arguments: [id]) ?? 0
        let label = "model \(id) (study \(model.study), fold \(model.fold), run \(model.run)\(model.name.isEmpty ? "" : ", model \(model.name)"))"
        if model.maskCount > 0 {
            throw StoreError.notRemovable(
                target: label, reason: "\(model.maskCount) recorded mask\(model.maskCount == 1 ? " was" : "s were") optimized for it; remove them first")
        }
        if evaluations > 0 {
            throw StoreError.notRemovable(
                target: label, reason: "it made \(evaluations) recorded evaluation\(evaluations == 1 ? "" : "s"); remove their masks first")
        }
        try keep(.model, id: id, sha256: model.weightsSHA256, action: .removed, previous: HistoryJSON.encode(model), correctionID: correctionID)
        try db.execute(sql: "DELETE FROM models WHERE id = ?", arguments: [id])  // its metrics cascade
    }

    func unreferencedBlobs() throws -> [UnreferencedBlob] {
        // Every column any table declares as referring to blobs, read from the schema, so
        // that a reference a later migration adds is never missed.
        let references = try Row.fetchAll(
            db,
            sql: """
                SELECT tables.name AS "table", keys."from" AS "column"
                FROM sqlite_master AS tables JOIN pragma_foreign_key_list(tables.name) AS keys
                WHERE tables.type = 'table' AND keys."table" = 'blobs' ORDER BY 1, 2
                """)
        let unused = references.map { row -> String in
            let (table, column): (String, String) = (row["table"], row["column"])
            return "NOT EXISTS (SELECT 1 FROM \(table.quotedDatabaseIdentifier) AS r WHERE r.\(column.quotedDatabaseIdentifier) = blobs.sha256)"
        }
        let condition = unused.isEmpty ? "1" : unused.joined(separator: " AND ")
        return try Row.fetchAll(db, sql: "SELECT sha256, size FROM blobs WHERE \(condition) ORDER BY sha256").map {
            UnreferencedBlob(sha256: $0["sha256"], size: $0["size"])
        }
    }

    func removeBlob(_ sha256: String, correctionID: Int64) throws {
        guard let size = try Int.fetchOne(db, sql: "SELECT size FROM blobs WHERE sha256 = ?", arguments: [sha256]) else { return }
        try keep(
            .blob, id: nil, sha256: sha256, action: .removed,
            previous: HistoryJSON.encode(UnreferencedBlob(sha256: sha256, size: size)), correctionID: correctionID)
        // A referenced blob cannot go: the foreign keys refuse it, and the transaction rolls back.
        try db.execute(sql: "DELETE FROM blobs WHERE sha256 = ?", arguments: [sha256])
    }

    /// Stores a mask's density vector: a row per region, and the vector packed in one.
    func insertDensities(_ densities: RegionDensities, maskID: Int64, atlasID: Int64, measuredBy: Int64? = nil) throws {
        let statement = try db.cachedStatement(
            sql: "INSERT INTO mask_densities (mask_id, atlas_id, label, density, voxels) VALUES (?, ?, ?, ?, ?)")
        for (index, region) in densities.regions.enumerated() {
            try statement.execute(arguments: [maskID, atlasID, region.label, densities.densities[index], densities.voxelCounts[index]])
        }
        try db.cachedStatement(sql: "INSERT INTO density_vectors (mask_id, atlas_id, densities, voxels, measured_by) VALUES (?, ?, ?, ?, ?)").execute(
            arguments: [
                maskID, atlasID, PackedDensities.pack(densities: densities.densities), PackedDensities.pack(voxels: densities.voxelCounts),
                measuredBy,
            ])
    }

    /// Copies a measured mask's density vector to another record of the same file.
    func copyDensities(from measured: Int64, to maskID: Int64) throws {
        try db.execute(
            sql: """
                INSERT INTO mask_densities (mask_id, atlas_id, label, density, voxels)
                SELECT ?, atlas_id, label, density, voxels FROM mask_densities WHERE mask_id = ?;
                INSERT INTO density_vectors (mask_id, atlas_id, densities, voxels, measured_by)
                SELECT ?, atlas_id, densities, voxels, measured_by FROM density_vectors WHERE mask_id = ?
                """,
            arguments: [maskID, measured, maskID, measured])
    }
}
