import GRDB
import Store
import StudyCore

extension SQLiteStore {
    public func audit(_ target: String) throws -> [AuditRecord] {
        let ids = try resolveMasks(target)
        // One read: the masks, their models and imports as one consistent view.
        return try read { db in
            try Self.masks(ids: ids, in: db).map { mask in
                // An import stores its added rows in manifest order, so the k-th mask of a file
                // it added is the file's k-th added row (one file may be listed under several settings).
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        WITH added_masks AS (
                            SELECT id, model_id, import_id, nifti_sha256,
                                   ROW_NUMBER() OVER (PARTITION BY import_id, nifti_sha256 ORDER BY id) AS k
                            FROM masks),
                        added_rows AS (
                            SELECT import_id, sha256, line, ROW_NUMBER() OVER (PARTITION BY import_id, sha256 ORDER BY line) AS k
                            FROM import_rows WHERE outcome = 'added')
                        SELECT added_masks.model_id, imports.command, imports.manifest_path, added_rows.line
                        FROM added_masks JOIN imports ON imports.id = added_masks.import_id
                        LEFT JOIN added_rows ON added_rows.import_id = added_masks.import_id
                            AND added_rows.sha256 = added_masks.nifti_sha256 AND added_rows.k = added_masks.k
                        WHERE added_masks.id = ?
                        """, arguments: [mask.id])!
                let modelID: Int64 = row["model_id"]
                let model = try Self.models(where: .equal(.id, .number(Double(modelID))), in: db)[0]
                return AuditRecord(
                    mask: mask, model: model, importCommand: row["command"], manifestPath: row["manifest_path"],
                    manifestLine: row["line"])
            }
        }
    }
}
