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
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT masks.model_id, imports.command, imports.manifest_path, import_rows.line
                        FROM masks JOIN imports ON imports.id = masks.import_id
                        LEFT JOIN import_rows ON import_rows.import_id = imports.id AND import_rows.outcome = 'added'
                            AND import_rows.sha256 = masks.nifti_sha256
                        WHERE masks.id = ?
                        """, arguments: [mask.id])!
                return (row[0], row[1], row[2], row[3])
            }
            let model = try models(where: Filter(sql: "models.id = ?", arguments: [.number(Double(modelID))]))[0]
            return AuditRecord(mask: mask, model: model, importCommand: command, manifestPath: manifest, manifestLine: line)
        }
    }
}
