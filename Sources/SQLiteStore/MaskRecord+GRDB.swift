import GRDB
import Store
import StudyCore

// Rows of the `mask_settings` view, decoded by column name, by hand: through Decodable,
// GRDB runs a JSONDecoder for each of the two JSON columns of every row, most of the time
// a 50,000-mask study takes to read.
extension MaskRecord: FetchableRecord {
    public init(row: Row) throws {
        let semantics: String = row["semantics"]
        guard let known = MaskSemantics(rawValue: semantics) else {
            throw DatabaseError(resultCode: .SQLITE_CONSTRAINT_CHECK, message: "mask \(row["id"] as Int64) has semantics '\(semantics)'")
        }
        self.init(
            id: row["id"], sha256: row["sha256"], study: row["study"], fold: row["fold"], run: row["run"], model: row["model"],
            lambda1: row["lambda1"], lambda2: row["lambda2"], beta1: row["beta1"], beta2: row["beta2"], subjects: row["subjects"],
            semantics: known, method: row["method"], subject: row["subject"], params: Parameters(json: row["params"]), annotations: Parameters(json: row["annotations"]), atlas: row["atlas"],
            source: row["source"], importedAt: row["imported_at"])
    }
}

// Rows of an evaluations query, decoded by column name.
extension EvaluationRecord: FetchableRecord {}

extension SQLiteStore {
    public func masks(where filter: FilterExpression) throws -> [MaskRecord] {
        try read { db in try Self.masks(where: filter, in: db) }
    }

    static func masks(where filter: FilterExpression, in db: Database) throws -> [MaskRecord] {
        let sql = SQLiteFilter.masks(filter)
        return try MaskRecord.fetchAll(
            db, sql: "SELECT * FROM mask_settings WHERE \(sql.sql) ORDER BY id", arguments: sql.statementArguments)
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
        try MaskRecord.fetchAll(
            db, sql: "SELECT * FROM mask_settings WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
            arguments: [jsonArray(ids)])
    }

    public func manifestPaths(maskIDs: [Int64]) throws -> [Int64: String] {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT masks.id, imports.manifest_path FROM masks JOIN imports ON imports.id = masks.import_id
                    WHERE masks.id IN (SELECT value FROM json_each(?)) AND imports.manifest_path IS NOT NULL
                    """, arguments: [Self.jsonArray(maskIDs)])
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["id"], $0["manifest_path"]) })
        }
    }
}
