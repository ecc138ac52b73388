import Formatting
import Foundation
import GRDB
import NIfTI
import Store
import StudyCore

extension SQLiteStore {
    public func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        try writeDatabase { db in try body(SQLiteTransaction(db: db)) }
    }

    public var file: String? { path == ":memory:" ? nil : path }

    public func measuredFiles() throws -> Set<MeasuredFile> {
        try read { db in
            Set(try Row.fetchAll(db, sql: "SELECT DISTINCT nifti_sha256, atlas_id, semantics, \(SQLiteTransaction.gridKey) AS grid FROM masks").map {
                MeasuredFile(sha256: $0["nifti_sha256"], atlasID: $0["atlas_id"], semantics: $0["semantics"], grid: $0["grid"])
            })
        }
    }
}

extension MaskSemantics: DatabaseValueConvertible {}

/// One write transaction on the SQLite file: the import engine's writes, in SQL.
struct SQLiteTransaction: StoreTransaction {
    let db: Database

    func beginImport(_ entry: ImportEntry) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO imports (started_at, finished_at, command, kind, manifest_path, manifest_sha256, merged_from, outcome)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'ok')
                """,
            arguments: [
                Self.timestamp(entry.startedAt), Self.timestamp(entry.startedAt), entry.command, entry.kind.rawValue,
                entry.manifestPath, entry.manifestSHA256, entry.mergedFrom,
            ])
        return db.lastInsertedRowID
    }

    func finishImport(_ id: Int64, summary: ImportSummary) throws {
        for row in summary.rows {
            try db.execute(
                sql: "INSERT OR REPLACE INTO import_rows (import_id, line, path, sha256, outcome, message) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [id, row.line, row.path, row.sha256, row.outcome.rawValue, row.message])
        }
        try db.execute(
            sql: "UPDATE imports SET finished_at = ?, added = ?, unchanged = ?, rejected = ?, outcome = ? WHERE id = ?",
            arguments: [Self.timestamp(Date()), summary.added, summary.unchanged, summary.rejected.count, summary.outcome, id])
    }

    /// UTC, to the second: 2026-11-30T14:51:06Z. (FoundationEssentials' style: the older
    /// ISO8601DateFormatter opens an ICU formatter, about 0.5 ms each time.)
    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    func savepoint(_ body: () throws -> Bool) throws {
        try db.inSavepoint { try body() ? .commit : .rollback }
    }

    func modelID(_ model: ModelKey) throws -> Int64 {
        try SQLiteStore.modelID(model, in: db)
    }

    func recordedModelID(_ model: ModelKey) throws -> Int64? {
        try Int64.fetchOne(
            db,
            sql: """
                SELECT models.id FROM models JOIN studies ON studies.id = models.study_id
                WHERE studies.name = ? AND models.fold = ? AND models.run = ? AND models.name = ?
                """,
            arguments: [model.study, model.fold, model.run, model.name])
    }

    func model(_ id: Int64) throws -> RecordedModel {
        let row = try Row.fetchOne(db, sql: "SELECT architecture, weights_sha256, params FROM models WHERE id = ?", arguments: [id])!
        return RecordedModel(architecture: row["architecture"], weightsSHA256: row["weights_sha256"], params: Parameters(json: row["params"]))
    }

    func updateModel(_ id: Int64, architecture: String?, weightsSHA256: String?, params: Parameters?) throws {
        if let architecture {
            try db.execute(sql: "UPDATE models SET architecture = ? WHERE id = ?", arguments: [architecture, id])
        }
        if let weightsSHA256 {
            try db.execute(sql: "UPDATE models SET weights_sha256 = ? WHERE id = ?", arguments: [weightsSHA256, id])
        }
        if let params {
            try db.execute(sql: "UPDATE models SET params = ? WHERE id = ?", arguments: [params.json, id])
        }
    }

    func metric(model id: Int64, dataset: String, metric: String) throws -> Double? {
        try Double.fetchOne(
            db, sql: "SELECT value FROM model_metrics WHERE model_id = ? AND dataset = ? AND metric = ?",
            arguments: [id, dataset, metric])
    }

    func addMetric(model id: Int64, dataset: String, metric: String, value: Double) throws {
        try db.execute(
            sql: "INSERT INTO model_metrics (model_id, dataset, metric, value) VALUES (?, ?, ?, ?)",
            arguments: [id, dataset, metric, value])
    }

    func storeBlob(_ bytes: [UInt8], sha256: String) throws {
        try SQLiteStore.storeBlob(bytes, sha256: sha256, in: db)
    }

    /// Writes one checked mask unless its file and settings are already recorded (the
    /// `masks_identity` index says which: a conflict there inserts nothing).
    func addMask(_ mask: NewMask, importID: Int64) throws -> MaskWrite {
        let modelID = try modelID(mask.model)
        let settings: StatementArguments = [
            modelID, mask.lambda1, mask.lambda2, mask.beta1, mask.beta2, mask.subjects, mask.semantics, mask.method,
            mask.subject, mask.params.json, mask.atlasID, mask.sha256,
        ]
        let columns = """
            model_id, lambda1, lambda2, beta1, beta2, subjects, semantics, method, subject, params, atlas_id,
            nifti_sha256, annotations, grid_sha256, grid_source, dim_x, dim_y, dim_z, affine, source_path, import_id
            """
        let grid: StatementArguments = [mask.grid?.sha256, mask.grid?.source]
        switch mask.measurement {
        case let .new(bytes, dims, affine, densities):
            try SQLiteStore.storeBlob(bytes, sha256: mask.sha256, in: db)
            try db.execute(
                sql: "INSERT INTO masks (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: settings + [mask.annotations.json] + grid + [dims[0], dims[1], dims[2], Self.json(affine), mask.sourcePath, importID])
            guard db.changesCount > 0 else { return try recorded(mask, settings: settings, grid: MaskGrid.key(shape: dims, affine: affine)) }
            try insertDensities(densities, maskID: db.lastInsertedRowID, atlasID: mask.atlasID)
        case .recorded:
            // The grid and densities of a record of the same file, atlas, semantics and grid.
            let sameFile: StatementArguments = [mask.sha256, mask.atlasID, mask.semantics, mask.grid?.key]
            guard let measured = try Int64.fetchOne(
                db, sql: "SELECT id FROM masks WHERE nifti_sha256 = ? AND atlas_id = ? AND semantics = ? AND \(Self.gridKey) IS ? LIMIT 1",
                arguments: sameFile)
            else { throw StoreError.database(path: mask.sourcePath, message: "its recorded measurement disappeared during the import") }
            try db.execute(
                sql: """
                    INSERT INTO masks (\(columns))
                    SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, dim_x, dim_y, dim_z, affine, ?, ? FROM masks WHERE id = ?
                    ON CONFLICT DO NOTHING
                    """,
                arguments: settings + [mask.annotations.json] + grid + [mask.sourcePath, importID, measured])
            guard db.changesCount > 0 else {
                let key = try String.fetchOne(db, sql: "SELECT dim_x || ',' || dim_y || ',' || dim_z || ';' || affine FROM masks WHERE id = ?", arguments: [measured])
                return try recorded(mask, settings: settings, grid: key)
            }
            try copyDensities(from: measured, to: db.lastInsertedRowID)
        }
        return .added
    }

    /// The grid a record was measured on as SQL (`MaskGrid.key`), NULL for its own header's.
    static let gridKey = "(CASE WHEN grid_sha256 IS NULL THEN NULL ELSE dim_x || ',' || dim_y || ',' || dim_z || ';' || affine END)"

    /// A mask whose file, settings and grid (`X,Y,Z;affine`) are recorded: unchanged, unless the record's annotations differ.
    private func recorded(_ mask: NewMask, settings: StatementArguments, grid: String?) throws -> MaskWrite {
        let annotations = try String.fetchOne(
            db,
            sql: """
                SELECT annotations FROM masks WHERE model_id = ? AND lambda1 IS ? AND lambda2 IS ?
                AND beta1 IS ? AND beta2 IS ? AND subjects = ? AND semantics = ? AND method = ? AND subject = ?
                AND params = ? AND atlas_id = ?
                AND nifti_sha256 = ? AND dim_x || ',' || dim_y || ',' || dim_z || ';' || affine IS ?
                """, arguments: settings + [grid])
        let recorded = Parameters(json: annotations ?? "{}")
        return recorded == mask.annotations ? .unchanged : .annotationsDiffer(recorded: recorded)
    }

    /// The affine as stored: a JSON array of its 16 row-major entries, each read back exactly.
    static func json(_ affine: Affine) -> String {
        MaskGrid.affineText(affine)
    }

    func maskIDs(sha256: String) throws -> [Int64] {
        try SQLiteStore.maskIDs(sha256: sha256, prefix: false, in: db)
    }

    func recordedMaskIDs(_ target: String) throws -> [Int64] {
        try SQLiteStore.recordedIDs(target, in: db)
    }

    func evaluation(mask: Int64, model: Int64, subjects: String, trueLabel: String) throws -> (probability: Double, n: Int?)? {
        try Row.fetchOne(
            db, sql: "SELECT probability, n FROM evaluations WHERE mask_id = ? AND model_id = ? AND subjects = ? AND true_label = ?",
            arguments: [mask, model, subjects, trueLabel]
        ).map { ($0["probability"], $0["n"]) }
    }

    func addEvaluation(_ e: NewEvaluation, importID: Int64) throws {
        try db.execute(
            sql: """
                INSERT INTO evaluations (mask_id, model_id, subjects, true_label, probability, n, import_id)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [e.mask, e.model, e.subjects, e.trueLabel, e.probability, e.n, importID])
    }
}
