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
    /// Runs one statement on a read-only connection; anything that would write is refused.
    public static func query(path: String, sql: String) throws -> SQLResult {
        try checkPath(path, create: false)
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            return try queue.read { db in
                try requireMaskDB(db, path: path)
                let statements = try db.allStatements(sql: sql)
                guard let statement = try statements.next(), try statements.next() == nil else {
                    throw StoreError.notOneStatement(statement: sql)
                }
                guard statement.isReadonly else { throw StoreError.notReadOnly(statement: sql) }
                let cursor = try Row.fetchCursor(statement)
                var rows: [[SQLResult.Value]] = []
                while let row = try cursor.next() {
                    rows.append(row.databaseValues.map { value in
                        switch value.storage {
                        case .null: .null
                        case .int64(let i): .integer(i)
                        case .double(let d): .real(d)
                        case .string(let s): .text(s)
                        case .blob(let data): .blob(data.count)
                        }
                    })
                }
                return SQLResult(columns: statement.columnNames, rows: rows)
            }
        } catch let error as DatabaseError {
            throw StoreError(error, path: path)
        }
    }
}
