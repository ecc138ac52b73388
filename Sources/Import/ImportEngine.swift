import Atlas
import Foundation
import NIfTI
import Store
import StudyCore

/// How an import runs.
public struct ImportOptions: Sendable {
    /// The study for rows without a `study` column.
    public var study: String?
    /// Write nothing at all when any row is rejected.
    public var strict: Bool
    /// A row that contradicts a recorded one replaces it (its previous fields go into the
    /// history) instead of adding a second record or being rejected.
    public var replace: Bool
    /// Do everything in the write transaction, then roll it back: the summary says what
    /// would change and the database stays as it was (the audit log too).
    public var dryRun: Bool
    /// The command line, for the audit log.
    public var command: String
    /// How many rows are checked at once (files read, decoded and measured in parallel).
    public var jobs: Int
    /// Called after each row is checked, with (rows done, rows in all), from any thread.
    public var progress: (@Sendable (Int, Int) -> Void)?

    /// Import options; `jobs` defaults to the machine's cores.
    public init(
        study: String? = nil, strict: Bool = false, replace: Bool = false, dryRun: Bool = false, command: String,
        jobs: Int = ProcessInfo.processInfo.activeProcessorCount, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) {
        self.study = study
        self.strict = strict
        self.replace = replace
        self.dryRun = dryRun
        self.command = command
        self.jobs = jobs
        self.progress = progress
    }
}

/// Thrown inside the write transaction to roll back a strict import with a rejected row.
private struct StrictRollback: Error {}

/// Thrown inside the write transaction to roll back a dry run, once it has done everything.
private struct DryRunRollback: Error {}

extension StudyStore {
    /// Runs `body` in one write transaction, rolled back when `dryRun`: a dry run does
    /// exactly what the real one does, so it reports exactly what the real one would.
    public func write<T>(dryRun: Bool, _ body: (any StoreTransaction) throws -> T) throws -> T {
        guard dryRun else { return try write(body) }
        var result: T?
        do {
            try write { transaction in
                result = try body(transaction)
                throw DryRunRollback()
            }
        } catch is DryRunRollback {}
        return result!
    }
}

extension StudyStore {
    /// Runs an import: rows are checked by `prepare` on up to `options.jobs` threads while
    /// one transaction stores them, in manifest order; when `store` may reject a row after
    /// writing part of it (`storeMayReject`), each row is in a savepoint, so a rejected row
    /// leaves nothing behind. Nothing is visible to others until the commit,
    /// so a killed import leaves the database as it was. With `strict`, any rejected row
    /// rolls everything back (every row is still checked, to report them all) and only the
    /// audit log records the attempt. `file` names a row's file, if it has one: it is
    /// prefetched, and refused if it is the database itself. `done` is called on a worker
    /// once a row is checked, whatever the outcome.
    func runImport<Prepared: Sendable>(
        _ manifest: Manifest, kind: ImportKind, options: ImportOptions, key: (Manifest.Row) -> String,
        storeMayReject: Bool = true, file: (@Sendable (Manifest.Row) -> String?)? = nil,
        done: (@Sendable (Manifest.Row) -> Void)? = nil,
        prepare: @escaping @Sendable (Manifest.Row) throws -> Prepared,
        store: (Prepared, Int64, any StoreTransaction) throws -> ImportSummary.RowResult
    ) throws -> ImportSummary {
        let entry = ImportEntry(
            kind: kind, command: options.command, manifestPath: manifest.absolutePath, manifestSHA256: manifest.sha256,
            startedAt: Date())
        let rows = manifest.rows
        // A row naming the database must not even open it: closing any descriptor of the
        // file would drop the import's lock on it, and another process could write meanwhile.
        let database = self.file.flatMap(FileIdentity.init(path:))
        @Sendable func isDatabase(_ file: String) -> Bool { database != nil && FileIdentity(path: file) == database }
        // Each row's file is prefetched so that it comes from disk while the workers check the rows before it.
        let pipeline = RowPipeline(
            count: rows.count, jobs: options.jobs,
            prefetch: { index in if let file = file?(rows[index]), !isDatabase(file) { FileBytes.prefetch(file) } }
        ) { index in
            defer { done?(rows[index]) }
            if let file = file?(rows[index]), isDatabase(file) { throw RowRejection("this is the database itself") }
            return try prepare(rows[index])
        }
        defer { pipeline.stop() }
        var summary = ImportSummary()
        do {
            try write(dryRun: options.dryRun) { transaction in
                summary = ImportSummary()
                summary.rows = manifest.malformed.map { .init(line: $0.line, path: $0.path, outcome: .rejected, message: $0.message) }
                let importID = try transaction.beginImport(entry)
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
                            try transaction.savepoint {
                                result = try store(prepared, importID, transaction)
                                return result?.outcome != .rejected
                            }
                            summary.rows.append(result!)
                        } else {
                            // A savepoint per row would copy every page it touches to a statement journal.
                            summary.rows.append(try store(prepared, importID, transaction))
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
                try transaction.finishImport(importID, summary: summary)
            }
        } catch is StrictRollback {
            summary.strictAbort = true
            try write(dryRun: options.dryRun) { transaction in
                try transaction.finishImport(try transaction.beginImport(entry), summary: summary)
            }
        }
        summary.dryRun = options.dryRun
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

    /// The study rows without a study column go to: the one given, else the database's
    /// only study, else (a new database) `default`. A database of several studies takes no
    /// guess: rows must say, or `--study`.
    func defaultStudy(_ given: String?, for manifest: Manifest) throws -> String {
        if let given { return given }
        let names = try studyNames()
        guard names.count > 1 else { return names.first ?? "default" }
        guard manifest.rows.allSatisfy({ $0[.study] != nil }) else { throw ImportError.studyNeeded(path: manifest.path, studies: names) }
        return names[0]  // named by every row: never used
    }

    /// The studies a manifest's rows go to.
    static func studies(of manifest: Manifest, default study: String) -> [String] {
        Set(manifest.rows.map { $0[.study] ?? study }).sorted()
    }
}

/// A manifest read once and found to suit an import of its kind: the CLI checks it before
/// it opens (and perhaps creates) a database, then hands it to the import.
public struct CheckedManifest: Sendable {
    public let kind: ImportKind
    let manifest: Manifest
    /// What a mask manifest's other columns hold (nil for other kinds).
    let columns: ManifestColumns?
    /// The manifest as TSV text, when it was made (from a path pattern) rather than read.
    public let generated: String?
}

/// What an import checks of a manifest before it writes anything.
public enum ManifestCheck {
    /// Reads the manifest at `path` and throws `ImportError.badManifest` unless its header
    /// suits a `kind` import, so that a bad manifest leaves no new database behind.
    public static func header(_ kind: ImportKind, path: String) throws -> CheckedManifest {
        try checked(try Manifest(path: path, required: required(kind)), as: kind)
    }

    /// The columns a `kind` manifest must have.
    static func required(_ kind: ImportKind) -> [String] {
        switch kind {
        case .masks: maskRequired
        case .models: modelRequired.map(\.name)
        case .evaluations: evaluationRequired
        case .initialize: preconditionFailure("init reads no manifest")
        }
    }

    /// `manifest`, whose required columns are checked, once its header suits a `kind` import.
    static func checked(_ manifest: Manifest, as kind: ImportKind, generated: String? = nil) throws -> CheckedManifest {
        switch kind {
        case .masks: return CheckedManifest(kind: kind, manifest: manifest, columns: try masks(manifest), generated: generated)
        case .models: try models(manifest)
        case .evaluations: try evaluations(manifest)
        case .initialize: preconditionFailure("init reads no manifest")
        }
        return CheckedManifest(kind: kind, manifest: manifest, columns: nil, generated: generated)
    }
}
