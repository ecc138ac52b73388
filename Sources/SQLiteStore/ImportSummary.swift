import Atlas
import Foundation
import GRDB
import NIfTI
import Store
import StudyCore

/// What an import did, row by row.
public struct ImportSummary: Sendable {
    /// How one manifest row ended.
    public enum Outcome: String, Sendable { case added, unchanged, rejected }

    /// One manifest row's fate.
    public struct RowResult: Sendable {
        /// The row's line in the manifest.
        public var line: Int
        /// The file the row names (or its key, for rows without a file).
        public var path: String
        /// The file's sha256, when it was read.
        public var sha256: String?
        /// Added, already recorded, or rejected.
        public var outcome: Outcome
        /// Why a row was rejected.
        public var message: String?
    }

    /// Every row, in manifest order.
    public var rows: [RowResult] = []
    /// True when nothing was written because `--strict` met a rejected row.
    public var strictAbort = false

    /// Rows newly recorded.
    public var added: Int { rows.count { $0.outcome == .added } }
    /// Rows that were already recorded.
    public var unchanged: Int { rows.count { $0.outcome == .unchanged } }
    /// Rejected rows, in manifest order.
    public var rejected: [RowResult] { rows.filter { $0.outcome == .rejected } }
}

/// Records an import in the audit log.
struct ImportLog {
    let kind: String
    let command: String
    let manifest: Manifest?
    let startedAt = Date()

    /// Inserts the import's row (before its records, which point to it) and returns its id.
    func begin(_ db: Database) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO imports (started_at, finished_at, command, kind, manifest_path, manifest_sha256, outcome)
                VALUES (?, ?, ?, ?, ?, ?, 'ok')
                """,
            arguments: [Self.timestamp(startedAt), Self.timestamp(startedAt), command, kind, manifest?.absolutePath, manifest?.sha256])
        return db.lastInsertedRowID
    }

    /// Stores every row's outcome and the totals.
    func finish(_ db: Database, id: Int64, summary: ImportSummary) throws {
        for row in summary.rows {
            try db.execute(
                sql: "INSERT OR REPLACE INTO import_rows (import_id, line, path, sha256, outcome, message) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [id, row.line, row.path, row.sha256, row.outcome.rawValue, row.message])
        }
        let outcome = summary.strictAbort ? "rejected" : summary.rejected.isEmpty ? "ok" : "partial"
        try db.execute(
            sql: "UPDATE imports SET finished_at = ?, added = ?, unchanged = ?, rejected = ?, outcome = ? WHERE id = ?",
            arguments: [Self.timestamp(Date()), summary.added, summary.unchanged, summary.rejected.count, outcome, id])
    }

    /// UTC, to the second: 2026-11-30T14:51:06Z. (FoundationEssentials' style: the older
    /// ISO8601DateFormatter opens an ICU formatter, about 0.5 ms each time.)
    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}

/// Thrown inside the write transaction to roll back a strict import with a rejected row.
private struct StrictRollback: Error {}

extension SQLiteStore {
    /// Runs an import: rows are checked by `prepare` on up to `options.jobs` threads while
    /// one transaction stores them, in manifest order; when `store` may reject a row after
    /// writing part of it (`storeMayReject`), each row is in a savepoint, so a rejected row
    /// leaves nothing behind. Nothing is visible to others until the commit,
    /// so a killed import leaves the database as it was. With `strict`, any rejected row
    /// rolls everything back (every row is still checked, to report them all) and only the
    /// audit log records the attempt. `file` names a row's file, if it has one: it is
    /// prefetched, and refused if it is the database itself.
    func runImport<Prepared: Sendable>(
        _ manifest: Manifest, log: ImportLog, options: ImportOptions, key: (Manifest.Row) -> String,
        storeMayReject: Bool = true, file: (@Sendable (Manifest.Row) -> String?)? = nil,
        prepare: @escaping @Sendable (Manifest.Row) throws -> Prepared,
        store: (Prepared, Int64, Database) throws -> ImportSummary.RowResult
    ) throws -> ImportSummary {
        let rows = manifest.rows
        // A row naming the database must not even open it: closing any descriptor of the
        // file would drop the import's lock on it, and another process could write meanwhile.
        let database = FileIdentity(path: path)
        @Sendable func isDatabase(_ file: String) -> Bool { database != nil && FileIdentity(path: file) == database }
        // Each row's file is prefetched so that it comes from disk while the workers check the rows before it.
        let pipeline = RowPipeline(
            count: rows.count, jobs: options.jobs,
            prefetch: { index in if let file = file?(rows[index]), !isDatabase(file) { FileBytes.prefetch(file) } }
        ) { index in
            if let file = file?(rows[index]), isDatabase(file) { throw RowRejection("this is the database itself") }
            return try prepare(rows[index])
        }
        defer { pipeline.stop() }
        var summary = ImportSummary()
        do {
            try write { db in
                summary = ImportSummary()
                summary.rows = manifest.malformed.map { .init(line: $0.line, path: "", outcome: .rejected, message: $0.message) }
                let importID = try log.begin(db)
                var rejectedAny = !manifest.malformed.isEmpty
                for (index, row) in rows.enumerated() {
                    defer { rejectedAny = rejectedAny || summary.rows.last?.outcome == .rejected }
                    let outcome = pipeline.take(index)
                    options.progress?(index + 1, rows.count)
                    switch outcome {
                    case .success where options.strict && !storeMayReject && rejectedAny:
                        // Strict and a row already rejected: storing this one could only be rolled back
                        // (a store that may reject still runs, to report its own rejections).
                        continue
                    case .success(let prepared):
                        if storeMayReject {
                            var result: ImportSummary.RowResult?
                            try db.inSavepoint {
                                result = try store(prepared, importID, db)
                                return result?.outcome == .rejected ? .rollback : .commit
                            }
                            summary.rows.append(result!)
                        } else {
                            // A savepoint per row would copy every page it touches to a statement journal.
                            summary.rows.append(try store(prepared, importID, db))
                        }
                    case .failure(let rejection as RowRejection):
                        summary.rows.append(.init(line: row.line, path: key(row), outcome: .rejected, message: rejection.message))
                    case .failure(let error):
                        summary.rows.append(.init(line: row.line, path: key(row), outcome: .rejected, message: Self.rowMessage(error)))
                    }
                }
                summary.rows.sort { $0.line < $1.line }
                // Strict: every row a store may reject was still stored, so that each such
                // rejection is reported too; then all is rolled back and only the rejections remain.
                if options.strict && !summary.rejected.isEmpty {
                    summary.rows = summary.rejected
                    throw StrictRollback()
                }
                try log.finish(db, id: importID, summary: summary)
            }
        } catch is StrictRollback {
            summary.strictAbort = true
            try write { db in try log.finish(db, id: try log.begin(db), summary: summary) }
        }
        return summary
    }

    /// A row's rejection message from any error: a file's error without its path
    /// (the row line names the path already).
    static func rowMessage(_ error: any Error) -> String {
        switch error {
        case let error as NIfTIError: error.reason
        case let error as AtlasError: error.reason
        default: "\(error)"
        }
    }
}
