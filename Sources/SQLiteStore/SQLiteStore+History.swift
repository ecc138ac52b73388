import Foundation
import GRDB
import NIfTI
import Store
import StudyCore

extension SQLiteStore {
    public func compact() throws {
        do {
            try writer.vacuum()
        } catch let error as DatabaseError {
            throw StoreError(error, path: path)
        }
    }

    public func history(_ target: String) throws -> [HistoryEvent] {
        // A file is hashed here, outside the read (it may be large).
        let fileSHA256 = FileManager.default.fileExists(atPath: target) ? SHA256Digest.hex(try FileBytes.read(target)) : nil
        return try read { db in
            let files = try fileSHA256.map { [$0] } ?? Self.historyFiles(target, in: db)
            let events = try Self.history(of: files, in: db)
            guard !events.isEmpty else { throw StoreError.notRecorded(target: target) }
            return events
        }
    }

    /// The files a mask id or sha256 (prefix) names, recorded now or once.
    private static func historyFiles(_ target: String, in db: Database) throws -> [String] {
        let isHex = MaskTarget.isSHA256Prefix(target)
        if let id = Int64(target), !isHex {
            return try String.fetchAll(
                db,
                sql: """
                    SELECT nifti_sha256 FROM masks WHERE id = ?
                    UNION SELECT sha256 FROM record_history WHERE record_kind = 'mask' AND record_id = ?
                    """, arguments: [id, id])
        }
        guard isHex else { throw StoreError.badTarget(target: target) }
        let (low, high) = (target.lowercased(), target.lowercased() + "g")
        return try String.fetchAll(
            db,
            sql: """
                SELECT nifti_sha256 FROM masks WHERE nifti_sha256 >= ? AND nifti_sha256 < ?
                UNION SELECT sha256 FROM record_history WHERE record_kind = 'mask' AND sha256 >= ? AND sha256 < ?
                UNION SELECT sha256 FROM import_rows WHERE sha256 >= ? AND sha256 < ?
                """, arguments: [low, high, low, high, low, high])
    }

    /// Every import row that added one of the files, every amendment and removal of their
    /// masks and evaluations, and the deletion of their bytes, in the order they happened:
    /// imports by id, an import's amendments with it, a correction after the import before it.
    private static func history(of files: [String], in db: Database) throws -> [HistoryEvent] {
        guard !files.isEmpty else { return [] }
        let list = try HistoryJSON.encode(files)
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT 'imported' AS action, 'mask' AS record_kind, NULL AS record_id, imports.started_at AS at,
                       imports.command, imports.manifest_path, imports.merged_from, import_rows.line, NULL AS previous, NULL AS history_id,
                       imports.id AS k1, 0 AS k2, import_rows.line AS k3
                FROM import_rows JOIN imports ON imports.id = import_rows.import_id
                WHERE imports.kind = 'masks' AND import_rows.outcome = 'added'
                  AND import_rows.sha256 IN (SELECT value FROM json_each(?))
                UNION ALL
                SELECT record_history.action, record_history.record_kind, record_history.record_id,
                       COALESCE(imports.started_at, corrections.at), COALESCE(imports.command, corrections.command),
                       NULL, NULL, NULL, record_history.previous, record_history.id,
                       COALESCE(imports.id, corrections.after_import_id, 0), CASE WHEN imports.id IS NULL THEN 2 ELSE 1 END,
                       record_history.id
                FROM record_history
                LEFT JOIN imports ON imports.id = record_history.import_id
                LEFT JOIN corrections ON corrections.id = record_history.correction_id
                WHERE record_history.record_kind IN ('mask', 'evaluation', 'blob')
                  AND record_history.sha256 IN (SELECT value FROM json_each(?))
                ORDER BY k1, k2, k3
                """, arguments: [list, list])
        var events = rows.map { row in
            HistoryEvent(
                action: HistoryAction(rawValue: row["action"])!, record: HistoryRecordKind(rawValue: row["record_kind"])!,
                recordID: row["record_id"], at: row["at"], command: row["command"], manifestPath: row["manifest_path"],
                manifestLine: row["line"], mergedFrom: row["merged_from"], before: row["previous"])
        }
        // After an amendment, a record is what the next event found, or what it is now:
        // one pass from the newest event, keeping each record's next `before`.
        var next: [RecordKey: String] = [:]
        for index in events.indices.reversed() {
            let event = events[index]
            let key = RecordKey(kind: event.record, id: event.recordID)
            if event.action == .amended {
                if let found = next[key] {
                    events[index].after = found
                } else if let id = event.recordID {
                    events[index].after = try currentJSON(event.record, id: id, in: db)
                }
            }
            if let before = event.before { next[key] = before }
        }
        return events
    }

    private struct RecordKey: Hashable {
        var kind: HistoryRecordKind
        var id: Int64?
    }

    /// A record's fields now, as the history keeps them.
    private static func currentJSON(_ kind: HistoryRecordKind, id: Int64, in db: Database) throws -> String? {
        switch kind {
        case .mask:
            return try masks(ids: [id], in: db).first.map(HistoryJSON.encode)
        case .evaluation:
            return try EvaluationRecord.fetchOne(
                db,
                sql: """
                    SELECT evaluations.mask_id, studies.name AS study, models.fold, models.run, models.name AS model,
                           evaluations.subjects, evaluations.true_label, evaluations.probability, evaluations.n
                    FROM evaluations JOIN models ON models.id = evaluations.model_id JOIN studies ON studies.id = models.study_id
                    WHERE evaluations.id = ?
                    """, arguments: [id]
            ).map(HistoryJSON.encode)
        case .model:
            return try models(where: .equal(.id, .number(Double(id))), in: db).first.map(HistoryJSON.encode)
        case .blob:
            return nil
        }
    }
}
