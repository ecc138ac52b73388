import GRDB

/// A recorded model with its metrics.
public struct ModelRecord: Sendable, Equatable {
    /// One performance figure: a metric on a dataset (e.g. AIBL-test, balanced_accuracy).
    public struct Metric: Sendable, Equatable, Hashable {
        public var dataset: String
        public var metric: String
        public var value: Double
    }

    public var id: Int64
    public var study: String
    public var fold: Int
    public var run: Int
    /// The model's name within its fold and run ('' when there is one model).
    public var name: String
    public var architecture: String
    /// The sha256 of the stored weights file, if any.
    public var weightsSHA256: String?
    /// Training parameters, as canonical JSON.
    public var params: String
    /// Metrics, sorted by dataset then metric.
    public var metrics: [Metric]
    /// How many masks were optimized for this model.
    public var maskCount: Int

    /// The fields `--where` filters models on.
    public static let filterFields: [FilterField] = [
        FilterField("id", sql: "models.id", kind: .number),
        FilterField("study", sql: "studies.name", kind: .text),
        FilterField("fold", sql: "models.fold", kind: .number),
        FilterField("run", sql: "models.run", kind: .number),
        FilterField("model", sql: "models.name", kind: .text),
        FilterField("architecture", sql: "models.architecture", kind: .text),
    ]

    /// The JSON column `params.NAME` fields read.
    public static let paramsColumn = "models.params"
}

extension MaskStore {
    /// The recorded models that pass `filter`, by study, fold, run and name.
    public func models(where filter: Filter = .all) throws -> [ModelRecord] {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT models.id, studies.name AS study, models.fold, models.run, models.name, models.architecture,
                           models.weights_sha256, models.params,
                           (SELECT count(*) FROM masks WHERE masks.model_id = models.id) AS mask_count
                    FROM models JOIN studies ON studies.id = models.study_id
                    WHERE \(filter.sql)
                    ORDER BY studies.name, models.fold, models.run, models.name
                    """, arguments: filter.statementArguments)
            return try rows.map { row in
                let id: Int64 = row["id"]
                let metrics = try Row.fetchAll(
                    db, sql: "SELECT dataset, metric, value FROM model_metrics WHERE model_id = ? ORDER BY dataset, metric",
                    arguments: [id]
                ).map { ModelRecord.Metric(dataset: $0["dataset"], metric: $0["metric"], value: $0["value"]) }
                return ModelRecord(
                    id: id, study: row["study"], fold: row["fold"], run: row["run"], name: row["name"],
                    architecture: row["architecture"], weightsSHA256: row["weights_sha256"], params: row["params"],
                    metrics: metrics, maskCount: row["mask_count"])
            }
        }
    }
}
