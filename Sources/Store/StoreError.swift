/// What can go wrong with the database or an import, each message naming the file or record.
public enum StoreError: Error, Equatable, Sendable {
    /// No database exists at the path and the command does not create one.
    case noDatabase(path: String)
    /// The file exists but is not an SQLite database.
    case notADatabase(path: String)
    /// The file is an SQLite database that maskdb did not make: it is left as it is.
    case foreignDatabase(path: String, tables: [String])
    /// The file is empty (or an SQLite database with no table) and the command creates nothing.
    case emptyDatabase(path: String)
    /// The database was written by a newer maskdb.
    case newerSchema(path: String, unknown: [String])
    /// Other processes kept the database locked for longer than maskdb waits.
    case busy(path: String)
    /// SQLite refused an operation.
    case database(path: String, message: String)
    /// SQLite found the file damaged (SQLITE_CORRUPT) while reading it.
    case damaged(path: String, message: String)
    /// No recorded mask matches a target.
    case notRecorded(target: String)
    /// A target matches several recorded masks.
    case ambiguous(target: String, ids: [Int64])
    /// A target is neither a file, a mask id nor a sha256 (prefix).
    case badTarget(target: String)
    /// An atlas name is not registered in the database.
    case unknownAtlas(name: String, known: [String])
    /// `maskdb sql` was given a statement that is not a read-only query.
    case notReadOnly(statement: String)
    /// `maskdb sql` was given no statement, or several.
    case notOneStatement(statement: String)
    /// A record cannot be removed: others still refer to it.
    case notRemovable(target: String, reason: String)
    /// A file could not be written.
    case unwritable(path: String, reason: String)
    /// A stored file's bytes no longer hash to the sha256 recorded for them (`record`:
    /// "mask 3", "atlas aal2's image"): they are not handed out.
    case damagedFile(record: String, actual: String, recorded: String)
    /// Selected records have no densities over the atlas asked for: `maskdb measure` computes them.
    case notMeasured(atlas: String, count: Int, of: Int)
}

extension StoreError {
    /// For an error about a mask target: what is wrong, without the target (for lines
    /// that name it already); nil for other errors.
    public var targetReason: String? {
        switch self {
        case .notRecorded: "not recorded in this database"
        case let .ambiguous(_, ids):
            "matches \(ids.count) recorded masks (ids \(ids.map(String.init).joined(separator: ", "))); give a mask id or a longer sha256"
        case .badTarget: "not a file, a mask id, or a sha256 of at least 8 hex digits"
        default: nil
        }
    }
}

extension StoreError: CustomStringConvertible {
    /// The message: the file or record, what is wrong, and what to do.
    public var description: String {
        switch self {
        case let .noDatabase(path):
            "\(path): no maskdb database here; create one with 'maskdb init' or an import, or pass --db"
        case let .notADatabase(path):
            "\(path): not a maskdb database (not SQLite); check --db or $MASKDB_DB"
        case let .foreignDatabase(path, tables):
            "\(path): an SQLite database, but not maskdb's (its tables: \(Self.listed(tables))); it was left as it is; give --db a maskdb database or a new file"
        case let .emptyDatabase(path):
            "\(path): an empty database, not maskdb's yet; create one with 'maskdb init' or an import"
        case let .newerSchema(path, unknown):
            "\(path): written by a newer maskdb (schema \(unknown.joined(separator: ", "))); upgrade maskdb to open it"
        case let .busy(path):
            "\(path): the database stayed locked by other processes; try again"
        case let .database(path, message):
            "\(path): \(message)"
        case let .damaged(path, message):
            "\(path): the database file is damaged (SQLite: \(message)); run 'maskdb verify' to see where"
        case let .notRecorded(target), let .ambiguous(target, _), let .badTarget(target):
            "\(target): \(targetReason ?? "")"
        case let .unknownAtlas(name, known):
            "unknown atlas '\(name)'; this database has \(known.joined(separator: ", "))"
        case let .notOneStatement(statement):
            "'\(statement)': maskdb sql runs exactly one statement; give one SELECT"
        case let .notReadOnly(statement):
            "'\(statement)': maskdb sql runs read-only queries (SELECT, WITH, EXPLAIN, read-only PRAGMA)"
        case let .notRemovable(target, reason):
            "\(target): cannot be removed: \(reason)"
        case let .unwritable(path, reason):
            "\(path): cannot write the file: \(reason)"
        case let .damagedFile(record, actual, recorded):
            "\(record): its stored file's sha256 is \(actual.prefix(12))… not the recorded \(recorded.prefix(12))…; the database is damaged: run maskdb verify"
        case let .notMeasured(atlas, count, total):
            count == total && count == 1
                ? "the selected record has no densities over atlas '\(atlas)'; compute them with 'maskdb measure --atlas \(atlas)'"
                : "\(count) of the \(total) selected records have no densities over atlas '\(atlas)'; compute them with 'maskdb measure --atlas \(atlas)'"
        }
    }
}

extension StoreError {
    /// Up to five names, then how many more.
    static func listed(_ names: [String]) -> String {
        names.count <= 5 ? names.joined(separator: ", ") : names.prefix(5).joined(separator: ", ") + " and \(names.count - 5) more"
    }
}
