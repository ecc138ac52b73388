import GRDB
import Store
import StudyCore

extension SQLiteStore {
    /// Prepares a database for use: registers the built-in atlases and, when `study`
    /// is given, the study. Returns true when anything was added. Safe to repeat.
    @discardableResult
    public func initialize(study: String?, command: String) throws -> Bool {
        try write { db in
            let before = try Int.fetchOne(db, sql: "SELECT (SELECT count(*) FROM atlases) + (SELECT count(*) FROM studies)") ?? 0
            try Self.registerBuiltinAtlases(db)
            if let study { _ = try Self.studyID(named: study, in: db) }
            let after = try Int.fetchOne(db, sql: "SELECT (SELECT count(*) FROM atlases) + (SELECT count(*) FROM studies)") ?? 0
            guard after > before else { return false }
            let log = ImportLog(kind: "init", command: command, manifest: nil)
            try log.finish(db, id: try log.begin(db), summary: ImportSummary())
            return true
        }
    }

    /// The names of the studies, sorted.
    public func studyNames() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT name FROM studies ORDER BY name") }
    }

    /// The study rows without a study column go to: the one given, else the database's
    /// only study, else `default`.
    func defaultStudy(_ given: String?) throws -> String {
        if let given { return given }
        let names = try studyNames()
        return names.count == 1 ? names[0] : "default"
    }

    /// The id of the study named `name`, created when missing.
    static func studyID(named name: String, in db: Database) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM studies WHERE name = ?", arguments: [name]) { return id }
        try db.execute(sql: "INSERT INTO studies (name) VALUES (?)", arguments: [name])
        return db.lastInsertedRowID
    }

    /// The id of the model (study, fold, run, name), created when missing.
    static func modelID(study: String, fold: Int, run: Int, name: String, in db: Database) throws -> Int64 {
        let studyID = try studyID(named: study, in: db)
        if let id = try Int64.fetchOne(
            db, sql: "SELECT id FROM models WHERE study_id = ? AND fold = ? AND run = ? AND name = ?",
            arguments: [studyID, fold, run, name])
        {
            return id
        }
        try db.execute(
            sql: "INSERT INTO models (study_id, fold, run, name) VALUES (?, ?, ?, ?)", arguments: [studyID, fold, run, name])
        return db.lastInsertedRowID
    }
}
