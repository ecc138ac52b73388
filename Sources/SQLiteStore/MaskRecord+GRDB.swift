import GRDB
import Store
import StudyCore

// Rows of the `mask_settings` view are selected as `MaskRecord.columns` and decoded by
// `MaskRowReader`, by position and straight off the statement.
extension MaskRecord {
    /// The columns a mask's row is read from, in the order `MaskRowReader` reads them.
    static let columns = [
        "id", "sha256", "study", "fold", "run", "model", "lambda1", "lambda2", "beta1", "beta2", "subjects", "semantics",
        "method", "subject", "params", "annotations", "atlas", "source", "imported_at",
    ]

    /// `SELECT` of those columns `FROM mask_settings`.
    static let select = "SELECT " + columns.map { "mask_settings.\($0)" }.joined(separator: ", ") + " FROM mask_settings"
}

// Rows of an evaluations query, decoded by column name.
extension EvaluationRecord: FetchableRecord {}

extension SQLiteStore {
    public func masks(where filter: FilterExpression) throws -> [MaskRecord] {
        try read { db in try Self.masks(where: filter, in: db) }
    }

    static func masks(where filter: FilterExpression, in db: Database) throws -> [MaskRecord] {
        let sql = SQLiteFilter.masks(filter)
        return try MaskRowReader.records(db, sql: MaskRecord.select + " WHERE \(sql.sql) ORDER BY id", arguments: sql.statementArguments)
    }

    public func parameterNames(of records: RecordKind) throws -> Set<String> {
        try read { db in
            try String.fetchSet(db, sql: "SELECT DISTINCT json_each.key FROM \(records.rawValue), json_each(\(records.rawValue).params)")
        }
    }

    public func annotationNames() throws -> Set<String> {
        try read { db in try String.fetchSet(db, sql: "SELECT DISTINCT json_each.key FROM masks, json_each(masks.annotations)") }
    }

    public func masks(ids: [Int64]) throws -> [MaskRecord] {
        try read { db in try Self.masks(ids: ids, in: db) }
    }

    static func masks(ids: [Int64], in db: Database) throws -> [MaskRecord] {
        try MaskRowReader.records(db, sql: MaskRecord.select + " WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id", arguments: [jsonArray(ids)])
    }

    public func manifestPaths(maskIDs: [Int64]) throws -> [Int64: String] {
        try read { db in
            // The imports' paths read once (a study has few imports, each of many masks), then
            // each mask's import by number: no path text per mask.
            var paths: [Int64: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, manifest_path FROM imports WHERE manifest_path IS NOT NULL") {
                paths[row[0]] = row[1]
            }
            var manifests: [Int64: String] = [:]
            let ids = IDSelection(maskIDs)
            let cursor = try Row.fetchCursor(db, sql: "SELECT id, import_id FROM masks WHERE \(ids.condition("id"))", arguments: ids.arguments)
            while let row = try cursor.next() {
                guard ids.contains(row[0]), let importID = row[1] as Int64?, let path = paths[importID] else { continue }
                manifests[row[0]] = path
            }
            return manifests
        }
    }
}
