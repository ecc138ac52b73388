import Foundation
import GRDB
import Schema
import Store
import StudyCore

/// A maskdb database in one SQLite file, holding a study's models, masks, density
/// vectors, evaluations and the audit log of its imports: the embedded default store.
public final class SQLiteStore: StudyStore {
    /// The database file's path (`:memory:` for an in-memory store).
    public let path: String

    public var location: String { path }
    let writer: any DatabaseWriter
    /// The file the path named when opened: every write checks it still does (see `removeIfEmpty`).
    private let identity: FileIdentity?
    /// This command created the file (with its atlases): a failed write removes it again
    /// while it holds nothing.
    public let created: Bool

    private init(path: String, writer: any DatabaseWriter, created: Bool = false) {
        self.path = path
        self.writer = writer
        self.identity = FileIdentity(path: path)
        self.created = created
    }

    /// Opens the database at `path`, creating it when `create` is true, and brings its
    /// schema up to date. Many processes may open and write one file at once: writes
    /// wait for each other, and readers wait while an import writes to the file
    /// (IMMEDIATE transactions, a long busy timeout).
    ///
    /// The file keeps a rollback journal, not a WAL: pages a transaction adds to the file
    /// need no journal copy, so a mask's bytes are written once. WAL writes them twice
    /// (log, then checkpoint) and made a 500-mask import nine times slower.
    ///
    /// A missing file is created whole (`createWhole`): readers see no file, then a
    /// database with its schema and atlases. `command` goes into the audit log's entry.
    public static func open(
        path: String, create: Bool, command: String = CommandLine.arguments.joined(separator: " ")
    ) throws -> SQLiteStore {
        try checkPath(path, create: create)
        let configuration = fileConfiguration
        let created = create && !FileManager.default.fileExists(atPath: path)
            ? try createWhole(path, configuration: configuration, command: command) : false
        return try prepared(path: path, create: create, created: created) { try DatabaseQueue(path: path, configuration: configuration) }
    }

    static var fileConfiguration: Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            // Masks are megabytes: 64 KiB pages store them in 16 times fewer pages.
            // (It only takes effect when the file is created.)
            try db.execute(sql: "PRAGMA page_size = 65536")
            try db.execute(sql: "PRAGMA cache_size = -\(pageCacheBytes / 1024)")
            // Statement journals and sorts in memory: with 64 KiB pages the first journaled
            // page would otherwise create a temporary file (at the end of every import).
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            SQLiteFunctions.define(in: db)
        }
        return configuration
    }

    /// Creates the database at `path` whole: its schema and built-in atlases are written to a
    /// temporary file beside it, then linked into place only if `path` is still missing.
    /// Readers racing the first import saw a database without its atlas ("unknown atlas
    /// 'aal2'"); now they see none, then a complete one. Of two creators the first wins and
    /// the second opens its file. Returns true when this call's file is the one at `path`.
    static func createWhole(_ path: String, configuration: Configuration, command: String) throws -> Bool {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path, prefix = ".\(url.lastPathComponent).creating-"
        // A killed creator's file (its process gone) is removed; the process id and a random
        // number keep creators apart, threads of one process too.
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where entry.hasPrefix(prefix) {
            guard let pid = Int32(entry.dropFirst(prefix.count).prefix { $0 != "-" }), kill(pid, 0) != 0, errno == ESRCH else { continue }
            unlink((folder as NSString).appendingPathComponent(entry))
        }
        let temporary = (folder as NSString).appendingPathComponent("\(prefix)\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { unlink(temporary) }
        do {
            let queue = try DatabaseQueue(path: temporary, configuration: configuration)
            try migrate(queue, with: migrator)
            try SQLiteStore(path: temporary, writer: queue).initialize(study: nil, command: command)
            try queue.close()
        } catch let error as DatabaseError {
            throw StoreError(error, path: path)
        }
        if link(temporary, path) == 0 { return true }
        if errno == EEXIST { return false }
        // A file system without hard links: rename (which would replace) while `path` is still missing.
        guard !FileManager.default.fileExists(atPath: path) else { return false }
        guard rename(temporary, path) == 0 else {
            throw StoreError.database(path: path, message: "cannot create the database file: \(String(cString: strerror(errno)))")
        }
        return true
    }

    /// SQLite's page cache per connection: room for a mask's blob (see `storeBlob`).
    static let pageCacheBytes = 16 << 20

    /// How long a command waits for another process's write (an import) to finish.
    static let busyTimeout: TimeInterval = 600

    /// Files made by earlier versions are in WAL mode: move them to the rollback journal
    /// when no other connection has them open, else use them as they are, without waiting.
    private static func leaveWAL(_ db: Database) throws {
        guard try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal" else { return }
        try db.execute(sql: "PRAGMA busy_timeout = 0")
        defer { try? db.execute(sql: "PRAGMA busy_timeout = \(Int(busyTimeout * 1000))") }
        _ = try? String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
    }

    /// Refuses a missing file (unless it is to be created, in a folder that exists) and a
    /// folder, before SQLite would say "cannot open" or "disk I/O error" about them.
    public static func checkPath(_ path: String, create: Bool) throws {
        // SQLite would take these as a database that vanishes when the command ends.
        // A server's URL is not a file's path: refused before a file is made by that name.
        if ServerAddress.isServer(path) {
            throw StoreError.database(
                path: ServerAddress.redacted(path),
                message: "a PostgreSQL server's database; this build of maskdb keeps studies in SQLite files only (the PostgreSQL backend is not built yet); give --db a file's path")
        }
        if path.isEmpty || path == ":memory:" || path.hasPrefix("file:") {
            throw StoreError.database(path: path, message: "not a database file's path; give --db a file's path")
        }
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
        if !exists && !create { throw StoreError.noDatabase(path: path) }
        if isFolder.boolValue { throw StoreError.database(path: path, message: "a folder, not a database file; give --db a file's path") }
        if !exists {
            let folder = (path as NSString).deletingLastPathComponent
            var folderIsFolder: ObjCBool = false
            if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder, isDirectory: &folderIsFolder) || !folderIsFolder.boolValue {
                throw StoreError.database(path: path, message: "its folder \(folder) does not exist; create it first")
            }
        }
    }

    /// A fresh store in memory, for tests.
    public static func inMemory() throws -> SQLiteStore {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in SQLiteFunctions.define(in: db) }
        return try prepared(path: ":memory:", create: true) { try DatabaseQueue(configuration: configuration) }
    }

    private static func prepared(path: String, create: Bool, created: Bool = false, _ connect: () throws -> any DatabaseWriter) throws -> SQLiteStore {
        // Opening can meet SQLITE_BUSY that SQLite does not wait out (another process
        // switching an earlier version's WAL file, or migrating it): retry, waiting in all
        // no longer than the busy timeout any other wait has.
        let start = Date()
        while true {
            do {
                return try preparedOnce(path: path, create: create, created: created, connect)
            } catch StoreError.busy where Date().timeIntervalSince(start) < busyTimeout {
                usleep(UInt32.random(in: 50_000...350_000))
            }
        }
    }

    private static func preparedOnce(
        path: String, create: Bool, created: Bool, _ connect: () throws -> any DatabaseWriter
    ) throws -> SQLiteStore {
        do {
            let writer = try connect()
            // Nothing is written before the file is known to be maskdb's, or new and to be created.
            let (applied, tables) = try writer.read { db in (try appliedMigrations(db), try userTables(db)) }
            if applied.isEmpty {
                // No migration yet: a new or empty file, or one another maskdb process has just
                // begun to create (its migrations table alone); anything else is someone else's.
                if !tables.isSubset(of: ["grdb_migrations"]) { throw StoreError.foreignDatabase(path: path, tables: tables.sorted()) }
                if !create { throw StoreError.emptyDatabase(path: path) }
            }
            let unknown = applied.subtracting(knownMigrations)
            if !unknown.isEmpty { throw StoreError.newerSchema(path: path, unknown: unknown.sorted()) }
            try writer.writeWithoutTransaction(leaveWAL)
            try migrate(writer, with: Self.migrator)
            return SQLiteStore(path: path, writer: writer, created: created)
        } catch let error as DatabaseError {
            throw StoreError(error, path: path)
        }
    }

    /// Applies pending migrations. GRDB checks what is applied outside the migration's
    /// transaction, so when several processes open a new database at once, all but one
    /// lose a race and roll back; they then find the work done, or retry what is left.
    private static func migrate(_ writer: any DatabaseWriter, with migrator: DatabaseMigrator) throws {
        for attempt in 1...5 {
            do {
                try migrator.migrate(writer)
                return
            } catch is DatabaseError where attempt < 5 {
                // Another process migrated all or part of the way: done, or try what is left.
                if try writer.read(Self.appliedMigrations).isSuperset(of: knownMigrations) { return }
            }
        }
    }

    /// The identifiers of the migrations applied to the database. GRDB's own reading
    /// (`appliedIdentifiers`) selects first and checks that the table exists after a
    /// failure, so another process creating the table between the two made it throw
    /// "no such table: grdb_migrations" while several importers opened a new file. A
    /// table once created stays, so checking first leaves no such gap.
    private static func appliedMigrations(_ db: Database) throws -> Set<String> {
        guard try db.tableExists("grdb_migrations") else { return [] }
        return try String.fetchSet(db, sql: "SELECT identifier FROM grdb_migrations")
    }

    private static let knownMigrations = Set(SchemaMigrations.all.map(\.identifier))

    /// The database's own tables (not SQLite's).
    static func userTables(_ db: Database) throws -> Set<String> {
        try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
    }

    /// Refuses a database no maskdb made (read-only commands open it without migrating).
    static func requireMaskDB(_ db: Database, path: String) throws {
        guard try appliedMigrations(db).isEmpty else { return }
        let tables = try userTables(db)
        throw tables.isEmpty ? StoreError.emptyDatabase(path: path) : StoreError.foreignDatabase(path: path, tables: tables.sorted())
    }

    /// The schema's migrations, from the SQL files in `Schema/`.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in SchemaMigrations.all {
            // Migrations may call the store's functions, whatever connection runs them.
            migrator.registerMigration(migration.identifier) { db in
                SQLiteFunctions.define(in: db)
                try db.execute(sql: migration.sql)
            }
        }
        return migrator
    }

    /// Runs `body` in one IMMEDIATE write transaction, mapping SQLite errors to `StoreError`.
    /// A failed one is rolled back whole before this returns (`finishFailedWrite`).
    func writeDatabase<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try writer.write { db in
                // Under the write lock, which `removeIfEmpty` needs too: never write to a removed file.
                if let identity, FileIdentity(path: path) != identity {
                    throw StoreError.database(
                        path: path, message: "the database was removed while this command ran (by a failed import that had created it); run the command again")
                }
                return try body(db)
            }
        } catch let error as DatabaseError {
            // SQLite's failure (a full disk, an I/O error), not the body's own (--strict, a dry run).
            finishFailedWrite()
            throw StoreError(error, path: path)
        }
    }

    /// After a failed write: its journal played back and gone before the command exits, and a
    /// file this command created removed again while it holds nothing. After a write error
    /// (a full disk) SQLite leaves the journal for the connection's next read to play back;
    /// a process exiting first left it hot, for read-only users to trip on.
    private func finishFailedWrite() {
        guard file != nil else { return }
        let journal = path + "-journal"
        if FileManager.default.fileExists(atPath: journal) {
            _ = try? writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") }
        }
        if FileManager.default.fileExists(atPath: journal) {
            // Still there (or another process's, which a new connection leaves alone): a new
            // connection plays back a hot journal when it first reads.
            if let queue = try? DatabaseQueue(path: path, configuration: Self.fileConfiguration) {
                _ = try? queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") }
                try? queue.close()
            }
        }
        if created { removeIfEmpty() }
    }

    /// Removes the file when nothing is recorded in it but its schema, atlases and their
    /// audit entry, holding the exclusive lock so that no other process is writing to it;
    /// one that opened it meanwhile finds it gone at its next write (`writeDatabase`).
    private func removeIfEmpty() {
        try? writer.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN EXCLUSIVE")
            defer { try? db.execute(sql: "ROLLBACK") }
            guard FileIdentity(path: path) == identity else { return }
            let recorded = try Int.fetchOne(
                db,
                sql: "SELECT (SELECT count(*) FROM studies) + (SELECT count(*) FROM imports WHERE kind <> 'init') + (SELECT count(*) FROM corrections)")
            if recorded == 0 { unlink(path) }
        }
    }

    /// Runs `body` outside any transaction (each statement its own), mapping SQLite errors.
    func readWithoutTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try writer.writeWithoutTransaction(body)
        } catch let error as DatabaseError {
            throw StoreError(error, path: path)
        }
    }

    /// Runs `body` in a read transaction, mapping SQLite errors to `StoreError`.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try writer.read(body)
        } catch let error as DatabaseError {
            throw StoreError(error, path: path)
        }
    }
}

extension StoreError {
    /// An SQLite error as users should read it.
    init(_ error: DatabaseError, path: String) {
        switch error.resultCode {
        case .SQLITE_NOTADB: self = .notADatabase(path: path)
        case .SQLITE_BUSY: self = .busy(path: path)
        case .SQLITE_READONLY where error.extendedResultCode == .SQLITE_READONLY_ROLLBACK:
            // A read-only connection (maskdb sql, or a user who may not write the file or its
            // folder) cannot roll back what an interrupted write left. Any command that opens
            // it for writing does; verify changes nothing else.
            let folder = (path as NSString).deletingLastPathComponent
            self = .database(
                path: path,
                message: "has an unfinished write (a hot journal, \(path)-journal) that a read-only open cannot roll back; someone who can write to \(folder.isEmpty ? "." : folder) and the file must run 'maskdb verify --db \(path)', then run this again")
        case .SQLITE_CORRUPT: self = .damaged(path: path, message: error.message ?? "database disk image is malformed")
        case .SQLITE_READONLY: self = .database(path: path, message: "the database is read-only here: \(error.message ?? "")")
        case .SQLITE_CANTOPEN: self = .database(path: path, message: "cannot open the database file; check the folder exists and is writable")
        case .SQLITE_FULL: self = .database(path: path, message: "the disk is full; nothing was written")
        default: self = .database(path: path, message: "SQLite error: \(error.message ?? "\(error.resultCode)")")
        }
    }
}
