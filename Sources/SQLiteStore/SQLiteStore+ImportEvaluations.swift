import Formatting
import Foundation
import GRDB
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
    var study: String
    var fold: Int
    var run: Int
    var model: String
    var subjects: String
    var trueLabel: String
    var probability: Double
    var n: Int?
}

extension SQLiteStore {
    /// Imports evaluations: the probability that a model (`fold`, `run`, optional `study`,
    /// `model`) gives to inputs masked by a recorded mask (`mask`: its file's path, its
    /// sha256 or prefix, or its id), with optional `subjects`, `true_label`, `n`.
    public func importEvaluations(manifestPath: String, options: ImportOptions) throws -> ImportSummary {
        let manifest = try Manifest(path: manifestPath, required: ["mask", "fold", "run", "probability"])
        try initialize(study: nil, command: options.command)
        let study = try defaultStudy(options.study)
        let log = ImportLog(kind: "evaluations", command: options.command, manifest: manifest)
        return try runImport(
            manifest, log: log, options: options, key: { $0["mask"] ?? "" }, file: { row in row["mask"].map(manifest.resolve) }
        ) { row in
            guard let key = row["mask"] else { throw RowRejection("mask is empty") }
            let file = manifest.resolve(key)
            let fileSHA256 = FileManager.default.fileExists(atPath: file) ? SHA256Digest.hex(try FileBytes.read(file)) : nil
            let probability = try row.number("probability", minimum: 0)
            guard probability <= 1 else { throw RowRejection("probability is \(row["probability"]!); it must be in [0, 1]") }
            return PreparedEvaluation(
                line: row.line, maskKey: key, fileSHA256: fileSHA256, study: row["study"] ?? study,
                fold: try row.integer("fold"), run: try row.integer("run"), model: row["model"] ?? "",
                subjects: row["subjects"] ?? "", trueLabel: row["true_label"] ?? "", probability: probability,
                n: row["n"] == nil ? nil : try row.integer("n", minimum: 1))
        } store: { evaluation, importID, db in
            try Self.store(evaluation, importID: importID, in: db)
        }
    }

    /// The mask an evaluation names: a recorded file, else a mask id or sha256 (prefix).
    private static func maskID(_ e: PreparedEvaluation, in db: Database) throws -> Int64 {
        let ids: [Int64]
        if let sha256 = e.fileSHA256 {
            ids = try maskIDs(sha256: sha256, prefix: false, in: db)
            guard !ids.isEmpty else { throw RowRejection("this file is not a recorded mask; import it with 'maskdb import masks' first") }
        } else {
            ids = try recordedIDs(e.maskKey, in: db)
        }
        guard ids.count == 1 else { throw StoreError.ambiguous(target: e.maskKey, ids: ids) }
        return ids[0]
    }

    private static func store(_ e: PreparedEvaluation, importID: Int64, in db: Database) throws -> ImportSummary.RowResult {
        var result = ImportSummary.RowResult(line: e.line, path: e.maskKey, outcome: .unchanged)
        let maskID: Int64
        do {
            maskID = try Self.maskID(e, in: db)
        } catch let rejection as RowRejection {
            result.outcome = .rejected
            result.message = rejection.message
            return result
        } catch let error as StoreError {
            result.outcome = .rejected
            result.message = error.targetReason ?? "\(error)"  // the row's line names the target already
            return result
        }
        let modelID = try modelID(study: e.study, fold: e.fold, run: e.run, name: e.model, in: db)
        if let row = try Row.fetchOne(
            db, sql: "SELECT probability, n FROM evaluations WHERE mask_id = ? AND model_id = ? AND subjects = ? AND true_label = ?",
            arguments: [maskID, modelID, e.subjects, e.trueLabel])
        {
            let (probability, n): (Double, Int?) = (row["probability"], row["n"])
            if probability != e.probability || n != e.n {
                result.outcome = .rejected
                result.message = "already recorded for this mask and model with probability \(NumberText.exact(probability))"
            }
            return result
        }
        try db.execute(
            sql: """
                INSERT INTO evaluations (mask_id, model_id, subjects, true_label, probability, n, import_id)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [maskID, modelID, e.subjects, e.trueLabel, e.probability, e.n, importID])
        result.outcome = .added
        return result
    }
}
