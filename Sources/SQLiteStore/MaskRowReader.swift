import Foundation
import GRDB
import GRDBSQLite
import Store
import StudyCore

/// Reads the rows of `MaskRecord.select` straight off SQLite's statement. A study's masks
/// repeat most of their texts row after row (the study, model, atlas, import time, the
/// JSON of their parameters): a text equal, byte for byte, to the same column's in the row
/// before is that row's string again, and equal JSON its parsed parameters, so that only
/// the sha256 and the path are new strings per mask. (Through `Row` and `init(row:)`,
/// decoding took most of the time of reading 50,000 masks.) Every mask read uses it.
struct MaskRowReader {
    private var texts: [(bytes: [UInt8], text: String)?] = Array(repeating: nil, count: MaskRecord.columns.count)
    private var parameters: [(bytes: [UInt8], value: Parameters)?] = Array(repeating: nil, count: MaskRecord.columns.count)

    /// The records `sql` (a `MaskRecord.select`) selects.
    static func records(_ db: Database, sql: String, arguments: StatementArguments) throws -> [MaskRecord] {
        let statement = try db.makeStatement(sql: sql)
        try statement.setArguments(arguments)
        var reader = MaskRowReader(), records: [MaskRecord] = []
        // GRDB steps the statement (and reports its errors); each row is read where it is.
        let cursor = try Row.fetchCursor(statement)
        while try cursor.next() != nil {
            records.append(try reader.record(statement.sqliteStatement))
        }
        return records
    }

    /// The record of the row `statement` is on.
    mutating func record(_ statement: SQLiteStatement) throws -> MaskRecord {
        let id = sqlite3_column_int64(statement, 0)
        let semantics = try text(statement, 11, id)
        guard let known = MaskSemantics(rawValue: semantics) else {
            throw DatabaseError(resultCode: .SQLITE_CONSTRAINT_CHECK, message: "mask \(id) has semantics '\(semantics)'")
        }
        return MaskRecord(
            id: id, sha256: try text(statement, 1, id), study: try text(statement, 2, id),
            fold: Int(sqlite3_column_int64(statement, 3)), run: Int(sqlite3_column_int64(statement, 4)), model: try text(statement, 5, id),
            lambda1: Self.double(statement, 6), lambda2: Self.double(statement, 7), beta1: Self.double(statement, 8), beta2: Self.double(statement, 9),
            subjects: try text(statement, 10, id), semantics: known, method: try text(statement, 12, id), subject: try text(statement, 13, id),
            params: try parameters(statement, 14, id), annotations: try parameters(statement, 15, id),
            atlas: try text(statement, 16, id), source: try text(statement, 17, id), importedAt: try text(statement, 18, id))
    }

    private static func double(_ statement: SQLiteStatement, _ column: Int32) -> Double? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : sqlite3_column_double(statement, column)
    }

    /// The column's bytes (a text of the schema, never NULL: a NULL is a damaged row).
    private static func bytes(_ statement: SQLiteStatement, _ column: Int32, _ id: Int64) throws -> UnsafeBufferPointer<UInt8> {
        // The text before its length, as SQLite asks; a NULL pointer is NULL (or no memory).
        guard let start = sqlite3_column_text(statement, column) else {
            throw DatabaseError(resultCode: .SQLITE_CONSTRAINT_NOTNULL, message: "mask \(id) has no \(MaskRecord.columns[Int(column)])")
        }
        return UnsafeBufferPointer(start: start, count: Int(sqlite3_column_bytes(statement, column)))
    }

    private static func equal(_ a: [UInt8], _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        a.count == b.count && a.withUnsafeBufferPointer { a in a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 }
    }

    private mutating func text(_ statement: SQLiteStatement, _ column: Int32, _ id: Int64) throws -> String {
        let bytes = try Self.bytes(statement, column, id)
        if let last = texts[Int(column)], Self.equal(last.bytes, bytes) { return last.text }
        let text = String(decoding: bytes, as: UTF8.self)
        texts[Int(column)] = (Array(bytes), text)
        return text
    }

    private mutating func parameters(_ statement: SQLiteStatement, _ column: Int32, _ id: Int64) throws -> Parameters {
        let bytes = try Self.bytes(statement, column, id)
        if let last = parameters[Int(column)], Self.equal(last.bytes, bytes) { return last.value }
        let value = Parameters(json: String(decoding: bytes, as: UTF8.self))
        parameters[Int(column)] = (Array(bytes), value)
        return value
    }
}
