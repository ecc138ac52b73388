import Foundation
import GRDB
import Store
import StudyCore

extension SQLiteStore {
    @discardableResult
    public func initialize(study: String?, command: String) throws -> Bool {
        try writeDatabase { db in
            let before = try Int.fetchOne(db, sql: "SELECT (SELECT count(*) FROM atlases) + (SELECT count(*) FROM studies)") ?? 0
            try Self.registerBuiltinAtlases(db)
            if let study { _ = try Self.studyID(named: study, in: db) }
            let after = try Int.fetchOne(db, sql: "SELECT (SELECT count(*) FROM atlases) + (SELECT count(*) FROM studies)") ?? 0
            guard after > before else { return false }
            let log = SQLiteTransaction(db: db)
            let entry = ImportEntry(kind: .initialize, command: command, manifestPath: nil, manifestSHA256: nil, startedAt: Date())
            try log.finishImport(try log.beginImport(entry), summary: ImportSummary())
            return true
        }
    }

    public func studyNames() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT name FROM studies ORDER BY name") }
    }

    /// The id of the study named `name`, created when missing.
    static func studyID(named name: String, in db: Database) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM studies WHERE name = ?", arguments: [name]) { return id }
        try db.execute(sql: "INSERT INTO studies (name) VALUES (?)", arguments: [name])
        return db.lastInsertedRowID
    }

    /// The id of the model, created (with its study) when missing.
    static func modelID(_ model: ModelKey, in db: Database) throws -> Int64 {
        let studyID = try studyID(named: model.study, in: db)
        if let id = try Int64.fetchOne(
            db, sql: "SELECT id FROM models WHERE study_id = ? AND fold = ? AND run = ? AND name = ?",
            arguments: [studyID, model.fold, model.run, model.name])
        {
            return id
        }
        try db.execute(
            sql: "INSERT INTO models (study_id, fold, run, name) VALUES (?, ?, ?, ?)",
            arguments: [studyID, model.fold, model.run, model.name])
        return db.lastInsertedRowID
    }
}
