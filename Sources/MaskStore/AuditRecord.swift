import GRDB

/// Everything recorded about one mask: its settings, its model and its import.
public struct AuditRecord: Sendable, Equatable {
    /// The mask and its settings.
    public var mask: MaskRecord
    /// The model it was optimized for.
    public var model: ModelRecord
    /// The command line that imported it.
    public var importCommand: String
    /// The manifest it was imported from, when there was one.
    public var manifestPath: String?
    /// Its line in that manifest.
    public var manifestLine: Int?
}

extension MaskStore {
    /// Every record of the file, mask id or sha256 (prefix) `target` names.
    public func audit(_ target: String) throws -> [AuditRecord] {
        let masks = try masks(ids: try resolveMasks(target))
        return try masks.map { mask in
            let (modelID, command, manifest, line) = try read { db -> (Int64, String, String?, Int?) in
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
                return (row[0], row[1], row[2], row[3])
            }
            let model = try models(where: .equal(field: "id", to: .number(Double(modelID)), in: ModelRecord.filterFields))[0]
            return AuditRecord(mask: mask, model: model, importCommand: command, manifestPath: manifest, manifestLine: line)
        }
    }
}
