import Store
import StudyCore
import ArgumentParser
import Foundation
import SQLiteStore

/// `--db`: which database file a command uses.
struct StoreOptions: ParsableArguments {
    /// The database file.
    @Option(help: ArgumentHelp("The database file (default: $MASKDB_DB, else ./maskdb.sqlite).", valueName: "path"))
    var db: String?

    /// The path in force: `--db`, else `$MASKDB_DB`, else `./maskdb.sqlite`.
    var path: String {
        if let db { return db }
        if let fromEnvironment = ProcessInfo.processInfo.environment["MASKDB_DB"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return "maskdb.sqlite"
    }

    /// Opens the database; commands that record things create it when missing.
    func open(create: Bool = false) throws -> SQLiteStore {
        try SQLiteStore.open(path: path, create: create, command: InvocationText.current)
    }

    /// Opens the database for a command that may create it, unless this is a dry run of
    /// such a command on a missing or empty file: a dry run creates nothing, so it runs
    /// against a new database in memory, which is what the file would have been.
    func open(create: Bool, dryRun: Bool) throws -> SQLiteStore {
        guard dryRun, create else { return try open(create: create) }
        try SQLiteStore.checkPath(path, create: true)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        return size == nil || size == 0 ? try SQLiteStore.inMemory() : try open(create: true)
    }
}

/// The command line as typed, for the audit log.
enum InvocationText {
    static var current: String {
        CommandLine.arguments.enumerated().map { index, argument in
            let word = index == 0 ? "maskdb" : argument
            let plain = !word.isEmpty && word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,@+%".contains($0) }
            return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }
}
