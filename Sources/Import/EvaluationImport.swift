import Formatting
import Foundation
import NIfTI
import Store
import StudyCore

/// An evaluation row that passed every check.
struct PreparedEvaluation: Sendable {
    var line: Int
    /// The `mask` cell as written.
    var maskKey: String
    /// The sha256 of the file the cell names, or nil when it names a recorded mask directly.
    var fileSHA256: String?
    /// The evaluating model.
    var model: ModelKey
    var subjects: String
    var trueLabel: String
    var probability: Double
    var n: Int?
}

extension StudyStore {
    /// Imports evaluations: the probability that a model (`fold`, `run`, optional `study`,
    /// `model`) gives to inputs masked by a recorded mask (`mask`: its file's path, its
    /// sha256 or prefix, or its id), with optional `subjects`, `true_label`, `n`.
    public func importEvaluations(manifestPath: String, options: ImportOptions) throws -> ImportSummary {
        try importEvaluations(try ManifestCheck.header(.evaluations, path: manifestPath), options: options)
    }

    /// The same, of a manifest already read and checked.
    public func importEvaluations(_ checked: CheckedManifest, options: ImportOptions) throws -> ImportSummary {
        precondition(checked.kind == .evaluations, "a \(checked.kind) manifest given to importEvaluations")
        let manifest = checked.manifest
        try initialize(study: nil, command: options.command)
        let study = try defaultStudy(options.study, for: manifest)
        var summary = try runImport(
            manifest, kind: .evaluations, options: options, key: { $0["mask"] ?? "" }, file: { row in row["mask"].map(manifest.resolve) }
        ) { row in
            guard let key = row["mask"] else { throw RowRejection("mask is empty") }
            let file = manifest.resolve(key)
            let fileSHA256 = FileManager.default.fileExists(atPath: file) ? SHA256Digest.hex(try FileBytes.read(file)) : nil
            let probability = try row.number("probability", minimum: 0)
            guard probability <= 1 else { throw RowRejection("probability is \(row["probability"]!); it must be in [0, 1]") }
            let model = ModelKey(study: row[.study] ?? study, fold: try row.integer(.fold), run: try row.integer(.run), name: row[.model] ?? "")
            return PreparedEvaluation(
                line: row.line, maskKey: key, fileSHA256: fileSHA256, model: model,
                subjects: row[.subjects] ?? "", trueLabel: row["true_label"] ?? "", probability: probability,
                n: row["n"] == nil ? nil : try row.integer("n", minimum: 1))
        } store: { evaluation, importID, transaction in
            try Self.store(evaluation, importID: importID, replace: options.replace, in: transaction)
        }
        summary.studies = Self.studies(of: manifest, default: study)
        return summary
    }

    /// The mask an evaluation names: a recorded file, else a mask id or sha256 (prefix).
    private static func maskID(_ e: PreparedEvaluation, in transaction: any StoreTransaction) throws -> Int64 {
        let ids: [Int64]
        if let sha256 = e.fileSHA256 {
            ids = try transaction.maskIDs(sha256: sha256)
            guard !ids.isEmpty else { throw RowRejection("this file is not a recorded mask; import it with 'maskdb import masks' first") }
        } else {
            ids = try transaction.recordedMaskIDs(e.maskKey)
        }
        guard ids.count == 1 else { throw StoreError.ambiguous(target: e.maskKey, ids: ids) }
        return ids[0]
    }

    private static func store(
        _ e: PreparedEvaluation, importID: Int64, replace: Bool, in transaction: any StoreTransaction
    ) throws -> ImportSummary.RowResult {
        var result = ImportSummary.RowResult(line: e.line, path: e.maskKey, outcome: .unchanged)
        let maskID: Int64
        do {
            maskID = try Self.maskID(e, in: transaction)
        } catch let rejection as RowRejection {
            result.outcome = .rejected
            result.message = rejection.message
            return result
        } catch let error as StoreError {
            result.outcome = .rejected
            result.message = error.targetReason ?? "\(error)"  // the row's line names the target already
            return result
        }
        // An evaluation names a model; it never makes one (a typo'd fold would be a new model).
        guard let modelID = try transaction.recordedModelID(e.model) else {
            result.outcome = .rejected
            result.message = "no model fold \(e.model.fold) run \(e.model.run)\(e.model.name.isEmpty ? "" : " model \(e.model.name)") is recorded in study '\(e.model.study)'; record it first with 'maskdb import models' (or its masks with 'maskdb import masks')"
            return result
        }
        let evaluation = NewEvaluation(
            mask: maskID, model: modelID, subjects: e.subjects, trueLabel: e.trueLabel, probability: e.probability, n: e.n)
        // The same evaluation: the same mask, evaluating model, subjects and true label.
        if let recorded = try transaction.evaluationRecord(evaluation) {
            guard recorded.probability != e.probability || recorded.n != e.n else { return result }
            var new = recorded
            (new.probability, new.n) = (e.probability, e.n)
            let changes = recorded.changes(to: new).joined(separator: ", ")
            guard replace else {
                result.outcome = .rejected
                result.message = "already recorded for this mask and model with probability \(NumberText.exact(recorded.probability))\(recorded.n != e.n ? " and n \(recorded.n.map(String.init) ?? "-")" : ""); pass --replace to overwrite it (\(changes))"
                return result
            }
            try transaction.amendEvaluation(evaluation, importID: importID)
            result.outcome = .replaced
            result.message = "evaluation of mask \(maskID) by fold \(e.model.fold) run \(e.model.run)\(e.model.name.isEmpty ? "" : " model \(e.model.name)"): \(changes)"
            return result
        }
        try transaction.addEvaluation(evaluation, importID: importID)
        result.outcome = .added
        return result
    }
}

extension ManifestCheck {
    /// The columns an evaluation manifest must have.
    static var evaluationRequired: [String] { ["mask", StudyField.fold.name, StudyField.run.name, "probability"] }

    /// Throws when the header of the evaluation manifest `manifest` is unusable.
    static func evaluations(_ manifest: Manifest) throws {
        // A column read by nothing (a misspelt `true_lable`) would drop its values unseen.
        let columns = ["mask", "fold", "run", "probability", "study", "model", "subjects", "true_label", "n"]
        if let stray = manifest.columns.first(where: { !columns.contains($0) }) {
            let suggestion = NameSuggestion.closest(to: stray, among: columns).map { "did you mean '\($0)'? " } ?? ""
            throw ImportError.badManifest(
                path: manifest.path, detail: "unknown column '\(stray)'; \(suggestion)evaluation manifests take \(columns.joined(separator: ", "))")
        }
    }
}
