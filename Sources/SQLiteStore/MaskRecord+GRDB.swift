import GRDB
import Store
import StudyCore

// Rows of the `mask_settings` view, selected as `MaskRecord.columns` and decoded by hand
// and by position: through Decodable, GRDB ran a JSONDecoder for each of the two JSON
// columns of every row, and a column found by name is a search of the row's names, 19
// times per row (both were most of the time a 50,000-mask study took to read).
extension MaskRecord: FetchableRecord {
    /// The columns a mask's row is read from, in the order `init(row:)` reads them.
    static let columns = [
        "id", "sha256", "study", "fold", "run", "model", "lambda1", "lambda2", "beta1", "beta2", "subjects", "semantics",
        "method", "subject", "params", "annotations", "atlas", "source", "imported_at",
    ]

    /// `SELECT` of those columns `FROM mask_settings`.
    static let select = "SELECT " + columns.map { "mask_settings.\($0)" }.joined(separator: ", ") + " FROM mask_settings"

    public init(row: Row) throws {
        let semantics: String = row[11]
        guard let known = MaskSemantics(rawValue: semantics) else {
            throw DatabaseError(resultCode: .SQLITE_CONSTRAINT_CHECK, message: "mask \(row[0] as Int64) has semantics '\(semantics)'")
        }
        self.init(
            id: row[0], sha256: row[1], study: row[2], fold: row[3], run: row[4], model: row[5],
            lambda1: row[6], lambda2: row[7], beta1: row[8], beta2: row[9], subjects: row[10],
            semantics: known, method: row[12], subject: row[13], params: Parameters(json: row[14]), annotations: Parameters(json: row[15]),
            atlas: row[16], source: row[17], importedAt: row[18])
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
