import GRDB

/// A recorded mask with its model's study, fold and run: one row of `mask_settings`.
public struct MaskRecord: Sendable, Equatable, FetchableRecord, Decodable {
    public var id: Int64
    /// The sha256 of the stored NIfTI file.
    public var sha256: String
    public var study: String
    public var fold: Int
    public var run: Int
    /// The model's name within its fold and run ('' when there is one model).
    public var model: String
    public var lambda1: Double
    public var lambda2: Double
    public var beta1: Double?
    public var beta2: Double?
    /// The subject set the mask was optimized on.
    public var subjects: String
    /// `keep` or `perturb`.
    public var semantics: String
    /// Extra manifest columns, as canonical JSON.
    public var params: String
    /// The atlas its densities are over.
    public var atlas: String
    /// The file it was imported from.
    public var source: String
    /// When it was imported (ISO 8601).
    public var importedAt: String

    enum CodingKeys: String, CodingKey {
        case id, sha256, study, fold, run, model, lambda1, lambda2, beta1, beta2, subjects, semantics, params, atlas, source
        case importedAt = "imported_at"
    }

    /// The fields `--where` filters masks on, and their SQL over `mask_settings`.
    public static let filterFields: [FilterField] = [
        FilterField("id", sql: "id", kind: .number),
        FilterField("sha256", sql: "sha256", kind: .text),
        FilterField("study", sql: "study", kind: .text),
        FilterField("fold", sql: "fold", kind: .number),
        FilterField("run", sql: "run", kind: .number),
        FilterField("model", sql: "model", kind: .text),
        FilterField("lambda1", sql: "lambda1", kind: .number),
        FilterField("lambda2", sql: "lambda2", kind: .number),
        FilterField("beta1", sql: "beta1", kind: .number),
        FilterField("beta2", sql: "beta2", kind: .number),
        FilterField("subjects", sql: "subjects", kind: .text),
        FilterField("semantics", sql: "semantics", kind: .text),
        FilterField("atlas", sql: "atlas", kind: .text),
    ]

    /// The JSON column `params.NAME` fields read.
    public static let paramsColumn = "params"
}

extension Filter {
    /// The filter's arguments as SQLite values.
    var statementArguments: StatementArguments {
        StatementArguments(arguments.map { value -> (any DatabaseValueConvertible)? in
            switch value {
            case .number(let n): n
            case .text(let t): t
            }
        })
    }
}

extension MaskStore {
    /// The recorded masks that pass `filter`, by id.
    public func masks(where filter: Filter = .all) throws -> [MaskRecord] {
        try read { db in
            try MaskRecord.fetchAll(
                db, sql: "SELECT * FROM mask_settings WHERE \(filter.sql) ORDER BY id", arguments: filter.statementArguments)
        }
    }

    /// The recorded masks with these ids, by id.
    public func masks(ids: [Int64]) throws -> [MaskRecord] {
        try read { db in
            try MaskRecord.fetchAll(
                db, sql: "SELECT * FROM mask_settings WHERE id IN (\(databaseQuestionMarks(count: ids.count))) ORDER BY id",
                arguments: StatementArguments(ids))
        }
    }
}
