import GRDB
import Store
import StudyCore

extension SQLiteStore {
    public func audit(_ target: String) throws -> [AuditRecord] {
        let ids = try resolveMasks(target)
        // One read: the masks, their models and imports as one consistent view.
        return try read { db in
            // One query for every record (not one per record, each numbering every mask and
            // import row: records x masks). An import stores its added rows in manifest order,
            // so the k-th mask of a file it added is the file's k-th added row (one file may be
            // listed under several settings); the numbering needs only the audited files' masks and rows.
            let rows = try Row.fetchAll(
                db,
                sql: """
                    WITH targets AS (SELECT value AS id FROM json_each(?)),
                    files AS (SELECT DISTINCT nifti_sha256 FROM masks WHERE id IN targets),
                    added_masks AS (
                        SELECT id, model_id, import_id, nifti_sha256,
                               ROW_NUMBER() OVER (PARTITION BY import_id, nifti_sha256 ORDER BY id) AS k
                        FROM masks WHERE nifti_sha256 IN files),
                    added_rows AS (
                        SELECT import_id, sha256, line, ROW_NUMBER() OVER (PARTITION BY import_id, sha256 ORDER BY line) AS k
                        FROM import_rows WHERE outcome = 'added' AND sha256 IN files)
                    SELECT added_masks.id, added_masks.model_id, imports.command, imports.manifest_path, imports.merged_from, added_rows.line
                    FROM added_masks JOIN imports ON imports.id = added_masks.import_id
                    LEFT JOIN added_rows ON added_rows.import_id = added_masks.import_id
                        AND added_rows.sha256 = added_masks.nifti_sha256 AND added_rows.k = added_masks.k
                    WHERE added_masks.id IN targets
                    """, arguments: [Self.jsonArray(ids)])
            let origins = Dictionary(uniqueKeysWithValues: rows.map { row -> (Int64, Row) in (row["id"], row) })
            var models: [Int64: ModelRecord] = [:]  // each model read once, however many of its masks
            return try Self.masks(ids: ids, in: db).map { mask in
                let row = origins[mask.id]!
                let modelID: Int64 = row["model_id"]
                if models[modelID] == nil {
                    models[modelID] = try Self.models(where: .equal(.id, .number(Double(modelID))), in: db)[0]
                }
                return AuditRecord(
                    mask: mask, model: models[modelID]!, importCommand: row["command"], manifestPath: row["manifest_path"],
                    manifestLine: row["line"], grid: try Self.maskGrid(maskID: mask.id, in: db),
                    measurements: try Self.measurements(maskID: mask.id, in: db), mergedFrom: row["merged_from"])
            }
        }
    }

    /// A record's densities over atlases other than its import's, and the `measure` that computed each.
    static func measurements(maskID: Int64, in db: Database) throws -> [AtlasMeasurement] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT atlases.name, atlas_log.at, atlas_log.command FROM density_vectors
                JOIN masks ON masks.id = density_vectors.mask_id
                JOIN atlases ON atlases.id = density_vectors.atlas_id
                LEFT JOIN atlas_log ON atlas_log.id = density_vectors.measured_by
                WHERE density_vectors.mask_id = ? AND density_vectors.atlas_id <> masks.atlas_id
                ORDER BY atlases.name
                """, arguments: [maskID]
        ).map { AtlasMeasurement(atlas: $0["name"], at: $0["at"], command: $0["command"]) }
    }
}
