import Formatting
import Foundation
import NIfTI
import Store
import StudyCore

/// A model row that passed every check.
struct PreparedModel: Sendable {
    var line: Int
    var key: ModelKey
    var architecture: String?
    var weights: WeightsFile?
    var params: [String: Parameters.Value]
    var metrics: [(dataset: String, metric: String, value: Double)]

    var label: String { "fold \(key.fold) run \(key.run)" + (key.name.isEmpty ? "" : " model \(key.name)") }
}

/// A model's weights: their sha256, and how to read them again when they are stored (they
/// can be large, so only new ones are read twice).
struct WeightsFile: Sendable {
    var sha256: String
    var read: @Sendable () throws -> [UInt8]
}

extension StudyStore {
    /// Imports the models a manifest lists: `fold`, `run`, optional `study`, `model`,
    /// `architecture`, `weights` (a file, stored as a blob), `params.NAME` training
    /// parameters (`param.NAME`, the spelling of earlier versions, is read the same) and
    /// `metric.DATASET.NAME` metrics. A model that exists (e.g. created by
    /// a mask import) gets what it lacks; a value that contradicts a recorded one is rejected.
    public func importModels(manifestPath: String, options: ImportOptions) throws -> ImportSummary {
        try importModels(try ManifestCheck.header(.models, path: manifestPath), options: options)
    }

    /// The same, of a manifest already read and checked.
    public func importModels(_ checked: CheckedManifest, options: ImportOptions) throws -> ImportSummary {
        precondition(checked.kind == .models, "a \(checked.kind) manifest given to importModels")
        let manifest = checked.manifest
        try initialize(study: nil, command: options.command)
        let study = try defaultStudy(options.study, for: manifest)
        var summary = try runImport(
            manifest, kind: .models, options: options, key: Self.rowKey,
            file: { row in row[ManifestCheck.weightsColumn].map(manifest.resolve) }
        ) { row in
            try Self.prepareModel(row, manifest: manifest, study: study)
        } store: { model, importID, transaction in
            try Self.store(model, importID: importID, replace: options.replace, hint: "; pass --replace to overwrite it", in: transaction)
        }
        summary.studies = Self.studies(of: manifest, default: study)
        return summary
    }

    private static func rowKey(_ row: Manifest.Row) -> String {
        "fold \(row[.fold] ?? "?") run \(row[.run] ?? "?")"
    }

    private static func prepareModel(_ row: Manifest.Row, manifest: Manifest, study: String) throws -> PreparedModel {
        let key = ModelKey(study: row[.study] ?? study, fold: try row.integer(.fold), run: try row.integer(.run), name: row[.model] ?? "")
        var model = PreparedModel(line: row.line, key: key, architecture: row[.architecture], weights: nil, params: [:], metrics: [])
        for (column, cell) in row.cells.sorted(by: { $0.key < $1.key }) {
            if let name = ManifestCheck.parameterName(column) {
                model.params[name] = .init(cell: cell)
            } else if ManifestCheck.isMetricColumn(column) {
                // metric.DATASET.NAME: the last part names the metric, the middle the dataset.
                let parts = column.split(separator: ".")
                let dataset = parts[1..<(parts.count - 1)].joined(separator: ".")
                guard let value = NumberText.decimal(cell) else {
                    throw RowRejection("\(column) '\(cell)' is not a number")
                }
                model.metrics.append((dataset, String(parts.last!), value))
            }
        }
        if let weights = row[ManifestCheck.weightsColumn] {
            let resolved = manifest.resolve(weights)
            model.weights = WeightsFile(sha256: SHA256Digest.hex(try FileBytes.read(resolved))) { try FileBytes.read(resolved) }
        }
        return model
    }

    /// Records `model`, completing a recorded one; a contradiction rejects it (its message
    /// ending in `hint`) unless `replace`.
    static func store(
        _ model: PreparedModel, importID: Int64, replace: Bool, hint: String, in transaction: any StoreTransaction
    ) throws -> ImportSummary.RowResult {
        var result = ImportSummary.RowResult(line: model.line, path: model.label, sha256: model.weights?.sha256, outcome: .unchanged)
        func reject(_ message: String) -> ImportSummary.RowResult {
            result.outcome = .rejected
            result.message = message
            return result
        }
        let isNew = try transaction.recordedModelID(model.key) == nil
        let id = try transaction.modelID(model.key)
        let recorded = try transaction.model(id)
        // What the row contradicts (a value recorded otherwise), before anything is written:
        // without --replace the row is rejected; with it, the model's fields go into the history first.
        var contradictions: [String] = []
        if let given = model.architecture, given != recorded.architecture, !recorded.architecture.isEmpty {
            contradictions.append("already recorded with architecture '\(recorded.architecture)', not '\(given)'")
        }
        if let weights = model.weights, let other = recorded.weightsSHA256, weights.sha256 != other {
            contradictions.append("already recorded with other weights (sha256 \(other.prefix(12)))")
        }
        for (name, value) in model.params.sorted(by: { $0.key < $1.key }) {
            if let old = recorded.params.values[name], old != value {
                contradictions.append("parameter \(name) is already recorded as \(Parameters([name: old]).json)")
            }
        }
        for metric in model.metrics {
            if let old = try transaction.metric(model: id, dataset: metric.dataset, metric: metric.metric), old != metric.value {
                contradictions.append("metric \(metric.dataset).\(metric.metric) is already recorded as \(NumberText.exact(old))")
            }
        }
        var before: ModelRecord?
        if let first = contradictions.first {
            guard replace else { return reject(first + hint) }
            before = try transaction.modelRecord(id)
            try transaction.keepModelHistory(id, importID: importID)
        }
        var changed = false
        if let given = model.architecture, given != recorded.architecture {
            try transaction.updateModel(id, architecture: given, weightsSHA256: nil, params: nil)
            changed = true
        }
        if let weights = model.weights, weights.sha256 != recorded.weightsSHA256 {
            let bytes = try weights.read()
            guard SHA256Digest.hex(bytes) == weights.sha256 else {
                return reject("the weights file changed while it was being imported; import it again")
            }
            try transaction.storeBlob(bytes, sha256: weights.sha256)
            try transaction.updateModel(id, architecture: nil, weightsSHA256: weights.sha256, params: nil)
            changed = true
        }
        var params = recorded.params
        for (name, value) in model.params where params.values[name] != value { params.values[name] = value }
        if params != recorded.params {
            try transaction.updateModel(id, architecture: nil, weightsSHA256: nil, params: params)
            changed = true
        }
        for metric in model.metrics where try transaction.metric(model: id, dataset: metric.dataset, metric: metric.metric) != metric.value {
            try transaction.setMetric(model: id, dataset: metric.dataset, metric: metric.metric, value: metric.value)
            changed = true
        }
        if let before {
            result.outcome = .replaced
            result.message = "model \(id): " + before.changes(to: try transaction.modelRecord(id)).joined(separator: ", ")
        } else {
            result.outcome = changed || isNew ? .added : .unchanged
        }
        return result
    }
}

extension ManifestCheck {
    /// The columns a model manifest must have.
    static var modelRequired: [StudyField] { [.fold, .run] }

    /// Throws when the header of the model manifest `manifest` is unusable.
    static func models(_ manifest: Manifest) throws {
        let columns = (modelRequired + StudyField.modelFields.filter { $0 != .id && !modelRequired.contains($0) }).map(\.name) + [weightsColumn]
        if let stray = manifest.columns.first(where: { !columns.contains($0) && parameterName($0) == nil && !isMetricColumn($0) }) {
            let suggestion = NameSuggestion.closest(to: stray, among: columns).map { "did you mean '\($0)'? " } ?? ""
            throw ImportError.badManifest(
                path: manifest.path,
                detail: "unknown column '\(stray)'; \(suggestion)model manifests take \(columns.joined(separator: ", ")), \(StudyField.parameterPrefix)NAME and metric.DATASET.NAME")
        }
        let parameters = manifest.columns.compactMap(parameterName)
        if let twice = parameters.first(where: { name in parameters.count { $0 == name } > 1 }) {
            throw ImportError.badManifest(
                path: manifest.path, detail: "two columns name the parameter \(twice); keep \(StudyField.parameter(twice)) alone")
        }
    }

    /// The column naming a model's weights file.
    static var weightsColumn: String { "weights" }

    /// The parameter a `params.NAME` (or `setting.NAME`, or the older `param.NAME`) column holds;
    /// nil for any other column.
    static func parameterName(_ column: String) -> String? {
        for prefix in ManifestColumns.settingPrefixes where column.hasPrefix(prefix) && column.count > prefix.count {
            return String(column.dropFirst(prefix.count))
        }
        return nil
    }

    static func isMetricColumn(_ column: String) -> Bool {
        let parts = column.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count >= 3 && parts[0] == "metric" && parts.allSatisfy { !$0.isEmpty }
    }
}
