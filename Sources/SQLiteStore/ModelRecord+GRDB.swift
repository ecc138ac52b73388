import GRDB
import Store
import StudyCore

extension ModelRecord.Metric: FetchableRecord {}

extension SQLiteStore {
    public func models(where filter: FilterExpression) throws -> [ModelRecord] {
        try read { db in try Self.models(where: filter, in: db) }
    }

    /// The models passing `filter` with their metrics, read in the caller's transaction.
    static func models(where filter: FilterExpression, in db: Database) throws -> [ModelRecord] {
        let sql = SQLiteFilter.models(filter)
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT models.id, studies.name AS study, models.fold, models.run, models.name, models.architecture,
                       models.weights_sha256, models.params,
                       (SELECT count(*) FROM masks WHERE masks.model_id = models.id) AS mask_count
                FROM models JOIN studies ON studies.id = models.study_id
                WHERE \(sql.sql)
                ORDER BY studies.name, models.fold, models.run, models.name
                """, arguments: sql.statementArguments)
        return try rows.map { row in
            let id: Int64 = row["id"]
            let metrics = try ModelRecord.Metric.fetchAll(
                db, sql: "SELECT dataset, metric, value FROM model_metrics WHERE model_id = ? ORDER BY dataset, metric",
                arguments: [id])
            return ModelRecord(
                id: id, study: row["study"], fold: row["fold"], run: row["run"], name: row["name"],
                architecture: row["architecture"], weightsSHA256: row["weights_sha256"], params: Parameters(json: row["params"]),
                metrics: metrics, maskCount: row["mask_count"])
        }
    }
}
