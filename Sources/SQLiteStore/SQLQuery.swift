import Foundation
import GRDB
import Store
import StudyCore

/// A read-only SQL query's result, for `maskdb sql`.
public struct SQLResult: Sendable {
    /// A value as SQLite returned it.
    public enum Value: Sendable, Equatable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
        /// A blob, by its size (blobs are not printed).
        case blob(Int)
    }

    /// Column names.
    public var columns: [String]
    /// Rows of values.
    public var rows: [[Value]]
}

extension SQLiteStore {
    /// Runs one statement on a read-only connection and collects its rows (for results
    /// known to be small; `query(path:sql:columns:row:)` streams them).
    public static func query(path: String, sql: String) throws -> SQLResult {
        var result = SQLResult(columns: [], rows: [])
        try query(path: path, sql: sql) { result.columns = $0 } row: { result.rows.append($0); return true }
        return result
    }

    /// Runs one statement on a read-only connection; anything that would write is refused.
    /// `columns` gets the column names, then `row` each row as SQLite steps to it (a cursor:
    /// no row is kept, so a result of any size takes bounded memory); `row` returns false
    /// to stop the query there.
    public static func query(
        path: String, sql: String, columns: ([String]) throws -> Void, row: ([SQLResult.Value]) throws -> Bool
    ) throws {
        try checkPath(path, create: false)
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.read { db in
                try requireMaskDB(db, path: path)
                let statements = try db.allStatements(sql: sql)
                guard let statement = try statements.next(), try statements.next() == nil else {
                    throw StoreError.notOneStatement(statement: sql)
                }
                guard statement.isReadonly else { throw StoreError.notReadOnly(statement: sql) }
                try columns(statement.columnNames)
                let cursor = try Row.fetchCursor(statement)
                while let next = try cursor.next() {
                    let values: [SQLResult.Value] = next.databaseValues.map { value -> SQLResult.Value in
                        switch value.storage {
                        case .null: .null
                        case .int64(let i): .integer(i)
                        case .double(let d): .real(d)
                        case .string(let s): .text(s)
                        case .blob(let data): .blob(data.count)
                        }
                    }
                    guard try row(values) else { return }
                }
            }
        } catch let error as DatabaseError {
            throw StoreError(error, path: path)
        }
    }
}
