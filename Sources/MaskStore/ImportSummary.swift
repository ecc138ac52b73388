import Foundation
import GRDB
import Synchronization

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
        // A strict import that wrote nothing logs only the rows that stopped it.
        for row in summary.rows where !summary.strictAbort || row.outcome == .rejected {
            try db.execute(
                sql: "INSERT OR REPLACE INTO import_rows (import_id, line, path, sha256, outcome, message) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [id, row.line, row.path, row.sha256, row.outcome.rawValue, row.message])
        }
        let outcome = summary.strictAbort ? "rejected" : summary.rejected.isEmpty ? "ok" : "partial"
        try db.execute(
            sql: "UPDATE imports SET finished_at = ?, added = ?, unchanged = ?, rejected = ?, outcome = ? WHERE id = ?",
            arguments: [Self.timestamp(Date()), summary.strictAbort ? 0 : summary.added, summary.unchanged, summary.rejected.count, outcome, id])
    }

    static func timestamp(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}

/// Thrown inside the write transaction to roll back a strict import whose row failed late.
private struct StrictRollback: Error {}

extension MaskStore {
    /// Checks every row of a manifest with `prepare`, before anything is written, on up
    /// to `options.jobs` threads: returns the rows that passed, in manifest order, and a
    /// summary holding the rejected ones (named by `key`, e.g. their file).
    func check<Prepared: Sendable>(
        _ manifest: Manifest, options: ImportOptions, key: (Manifest.Row) -> String,
        prepare: @escaping @Sendable (Manifest.Row) throws -> Prepared
    ) -> ([Prepared], ImportSummary) {
        let rows = manifest.rows
        let outcomes = Mutex<[Int: Result<Prepared, any Error>]>([:])
        let done = Mutex(0)
        let jobs = max(1, min(options.jobs, rows.count))
        // Static striping: masks cost about the same, and each thread holds one at a time.
        DispatchQueue.concurrentPerform(iterations: jobs) { job in
            for index in stride(from: job, to: rows.count, by: jobs) {
                let outcome = Result { try prepare(rows[index]) }
                outcomes.withLock { $0[index] = outcome }
                let finished = done.withLock { count in
                    count += 1
                    return count
                }
                options.progress?(finished, rows.count)
            }
        }
        var summary = ImportSummary()
        var prepared: [Prepared] = []
        for (line, message) in manifest.malformed {
            summary.rows.append(.init(line: line, path: "", outcome: .rejected, message: message))
        }
        let results = outcomes.withLock { $0 }
        for (index, row) in rows.enumerated() {
            switch results[index]! {
            case .success(let value):
                prepared.append(value)
            case .failure(let rejection as RowRejection):
                summary.rows.append(.init(line: row.line, path: key(row), outcome: .rejected, message: rejection.message))
            case .failure(let error):
                summary.rows.append(.init(line: row.line, path: key(row), outcome: .rejected, message: Self.rowMessage(error)))
            }
        }
        return (prepared, summary)
    }

    /// A row's rejection message from any error: the file's own error without its path
    /// (the row line names the path already).
    static func rowMessage(_ error: any Error) -> String {
        let text = "\(error)"
        if let range = text.range(of: ": "), text[..<range.lowerBound].contains("/") || text.hasPrefix(".") {
            return String(text[range.upperBound...])
        }
        return text
    }

    /// Writes checked rows in one transaction, each row in a savepoint so a row rejected
    /// while writing leaves nothing behind; logs the import. With `strict`, any rejected
    /// row means nothing but the audit log entry is written.
    func commit<Prepared>(
        _ prepared: [Prepared], summary: ImportSummary, log: ImportLog, strict: Bool,
        store: (Prepared, Int64, Database) throws -> ImportSummary.RowResult
    ) throws -> ImportSummary {
        var summary = summary
        let checkedRows = summary.rows
        summary.strictAbort = strict && !summary.rejected.isEmpty
        do {
            try write { db in
                summary.rows = checkedRows
                let importID = try log.begin(db)
                if !summary.strictAbort {
                    for item in prepared {
                        var result: ImportSummary.RowResult?
                        try db.inSavepoint {
                            result = try store(item, importID, db)
                            return result?.outcome == .rejected ? .rollback : .commit
                        }
                        summary.rows.append(result!)
                        if strict && result!.outcome == .rejected { throw StrictRollback() }
                    }
                }
                summary.rows.sort { $0.line < $1.line }
                try log.finish(db, id: importID, summary: summary)
            }
        } catch is StrictRollback {
            summary.strictAbort = true
            try write { db in try log.finish(db, id: try log.begin(db), summary: summary) }
        }
        return summary
    }
}
