import Formatting
import Foundation
import GRDB
import NIfTI
import Store
import StudyCore

/// A model row that passed every check.
struct PreparedModel: Sendable {
    var line: Int
    var study: String
    var fold: Int
    var run: Int
    var name: String
    var architecture: String?
    var weights: (path: String, sha256: String)?
    var params: [String: Parameters.Value]
    var metrics: [(dataset: String, metric: String, value: Double)]

    var label: String { "fold \(fold) run \(run)" + (name.isEmpty ? "" : " model \(name)") }
}

extension SQLiteStore {
    /// Imports the models a manifest lists: `fold`, `run`, optional `study`, `model`,
    /// `architecture`, `weights` (a file, stored as a blob), `param.NAME` training
    /// parameters and `metric.DATASET.NAME` metrics. A model that exists (e.g. created by
    /// a mask import) gets what it lacks; a value that contradicts a recorded one is rejected.
    public func importModels(manifestPath: String, options: ImportOptions) throws -> ImportSummary {
        let manifest = try Manifest(path: manifestPath, required: ["fold", "run"])
        try initialize(study: nil, command: options.command)
        let study = try defaultStudy(options.study)
        let known: Set = ["fold", "run", "study", "model", "architecture", "weights"]
        if let stray = manifest.columns.first(where: {
            !known.contains($0) && !($0.hasPrefix("param.") && $0.count > "param.".count) && !Self.isMetricColumn($0)
        }) {
            throw StoreError.badManifest(
                path: manifestPath,
                detail: "unknown column '\(stray)'; model manifests take fold, run, study, model, architecture, weights, param.NAME and metric.DATASET.NAME")
        }
        let log = ImportLog(kind: "models", command: options.command, manifest: manifest)
        return try runImport(
            manifest, log: log, options: options, key: Self.rowKey, file: { row in row["weights"].map(manifest.resolve) }
        ) { row in
            try self.prepareModel(row, manifest: manifest, study: study)
        } store: { model, _, db in
            try Self.store(model, in: db)
        }
    }

    static func isMetricColumn(_ column: String) -> Bool {
        let parts = column.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count >= 3 && parts[0] == "metric" && parts.allSatisfy { !$0.isEmpty }
    }

    private static func rowKey(_ row: Manifest.Row) -> String {
        "fold \(row["fold"] ?? "?") run \(row["run"] ?? "?")"
    }

    private func prepareModel(_ row: Manifest.Row, manifest: Manifest, study: String) throws -> PreparedModel {
        var model = PreparedModel(
            line: row.line, study: row["study"] ?? study, fold: try row.integer("fold"), run: try row.integer("run"),
            name: row["model"] ?? "", architecture: row["architecture"], weights: nil, params: [:], metrics: [])
        for (column, cell) in row.cells.sorted(by: { $0.key < $1.key }) {
            if column.hasPrefix("param.") {
                model.params[String(column.dropFirst("param.".count))] = .init(cell: cell)
            } else if Self.isMetricColumn(column) {
                // metric.DATASET.NAME: the last part names the metric, the middle the dataset.
                let parts = column.split(separator: ".")
                let dataset = parts[1..<(parts.count - 1)].joined(separator: ".")
                guard let value = NumberText.decimal(cell) else {
                    throw RowRejection("\(column) '\(cell)' is not a number")
                }
                model.metrics.append((dataset, String(parts.last!), value))
            }
        }
        if let weights = row["weights"] {
            let resolved = manifest.resolve(weights)
            model.weights = (resolved, SHA256Digest.hex(try FileBytes.read(resolved)))
        }
        return model
    }

    private static func store(_ model: PreparedModel, in db: Database) throws -> ImportSummary.RowResult {
        var result = ImportSummary.RowResult(line: model.line, path: model.label, sha256: model.weights?.sha256, outcome: .unchanged)
        func reject(_ message: String) -> ImportSummary.RowResult {
            result.outcome = .rejected
            result.message = message
            return result
        }
        let id = try modelID(study: model.study, fold: model.fold, run: model.run, name: model.name, in: db)
        let row = try Row.fetchOne(db, sql: "SELECT architecture, weights_sha256, params FROM models WHERE id = ?", arguments: [id])!
        var changed = false
        let architecture: String = row["architecture"]
        if let given = model.architecture, given != architecture {
            guard architecture.isEmpty else { return reject("already recorded with architecture '\(architecture)', not '\(given)'") }
            try db.execute(sql: "UPDATE models SET architecture = ? WHERE id = ?", arguments: [given, id])
            changed = true
        }
        let recordedWeights: String? = row["weights_sha256"]
        if let weights = model.weights, weights.sha256 != recordedWeights {
            guard recordedWeights == nil else { return reject("already recorded with other weights (sha256 \(recordedWeights!.prefix(12)))") }
            // Read again here rather than carried from the check: weights can be large, and
            // only new ones are stored.
            let bytes = try FileBytes.read(weights.path)
            guard SHA256Digest.hex(bytes) == weights.sha256 else {
                return reject("the weights file changed while it was being imported; import it again")
            }
            try storeBlob(bytes, sha256: weights.sha256, in: db)
            try db.execute(sql: "UPDATE models SET weights_sha256 = ? WHERE id = ?", arguments: [weights.sha256, id])
            changed = true
        }
        var params = Parameters(json: row["params"])
        var newParameter = false
        for (name, value) in model.params.sorted(by: { $0.key < $1.key }) {
            if let recorded = params.values[name] {
                if recorded != value { return reject("parameter \(name) is already recorded as \(Parameters([name: recorded]).json)") }
            } else {
                params.values[name] = value
                newParameter = true
            }
        }
        if newParameter {
            try db.execute(sql: "UPDATE models SET params = ? WHERE id = ?", arguments: [params.json, id])
            changed = true
        }
        for metric in model.metrics {
            let recorded = try Double.fetchOne(
                db, sql: "SELECT value FROM model_metrics WHERE model_id = ? AND dataset = ? AND metric = ?",
                arguments: [id, metric.dataset, metric.metric])
            if let recorded {
                if recorded != metric.value {
                    return reject("metric \(metric.dataset).\(metric.metric) is already recorded as \(NumberText.exact(recorded))")
                }
            } else {
                try db.execute(
                    sql: "INSERT INTO model_metrics (model_id, dataset, metric, value) VALUES (?, ?, ?, ?)",
                    arguments: [id, metric.dataset, metric.metric, metric.value])
                changed = true
            }
        }
        result.outcome = changed ? .added : .unchanged
        return result
    }
}

