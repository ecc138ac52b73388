import ArgumentParser
import Foundation
import CLISupport
import Import
import SQLiteStore
import Store

extension MaskDB {
    /// `maskdb merge SOURCE...`: other databases' records into this one.
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge",
            abstract: "Merge other maskdb databases (a cluster job's own file, say) into this one.",
            discussion: """
                Every source's registered atlases, models (metrics, weights), masks (their stored files, grids and \
                densities over every atlas, copied, not computed again) and evaluations go into the database in one \
                transaction. A record already here is left as it is, so merging again adds nothing. A record that \
                contradicts one here (a model with other metrics, a file recorded here for the same model under \
                other settings or annotations, an evaluation with another probability, an atlas of the same name \
                with other files) is rejected and reported; with --strict nothing is merged. The audit log names the \
                source of every merged record (maskdb audit). A missing database is created, so a study can be \
                copied into a new file too.
                """)

        @Argument(help: ArgumentHelp("The databases to merge from.", valueName: "source"))
        var sources: [String]

        @Option(help: ArgumentHelp("The database merged into (the same as --db).", valueName: "path"))
        var into: String?

        @OptionGroup var store: StoreOptions

        @Flag(help: "Merge nothing at all when any record is rejected.")
        var strict = false

        @Flag(help: "Report what would be merged, and write nothing.")
        var dryRun = false

        func validate() throws {
            if sources.isEmpty { throw ValidationError("give the databases to merge from") }
            if let into, let db = store.db, into != db { throw ValidationError("--into \(into) and --db \(db) name two databases; give one") }
        }

        func run() throws {
            var target = store
            if let into { target.db = into }
            let sources = try self.sources.map(Self.source)
            let database = try target.open(create: true, dryRun: dryRun)
            let summaries = try database.merge(sources, options: MergeOptions(strict: strict, dryRun: dryRun, command: InvocationText.current))
            if try Self.report(summaries, database: target.path, dryRun: dryRun) { throw ExitCode.failure }
        }

        /// Opens a database to merge from; a path that names none is refused in one line
        /// about the source (the messages of --db's checks would point at --db).
        static func source(_ path: String) throws -> SQLiteStore {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
                throw StoreError.database(path: path, message: "a folder, not a database to merge from")
            }
            do {
                return try SQLiteStore.open(path: path, create: false, command: InvocationText.current)
            } catch StoreError.noDatabase {
                throw StoreError.database(path: path, message: "no such database to merge from")
            } catch StoreError.notADatabase, StoreError.foreignDatabase, StoreError.emptyDatabase {
                throw StoreError.database(path: path, message: "not a maskdb database, nothing to merge from")
            }
        }

        /// Prints each rejected record (stderr) and each source's counts; returns true when a
        /// record was rejected. A `--strict` refusal is an error.
        static func report(_ summaries: [MergeSummary], database: String, dryRun: Bool) throws -> Bool {
            let dry = dryRun ? "dry run: " : ""
            for summary in summaries {
                for (noun, kind) in summary.kinds {
                    for row in kind.rejected { Output.error("\(summary.source): \(label(row, noun: noun)): \(row.message ?? "rejected")") }
                }
            }
            let rejected = summaries.reduce(0) { $0 + $1.rejected.count }
            if summaries.first?.masks.strictAbort == true {
                Output.error("maskdb: error: \(dry)nothing merged into \(database) (--strict): \(rejected) record\(rejected == 1 ? "" : "s") rejected")
                throw ExitCode.failure
            }
            var lines: [String] = []
            for summary in summaries {
                lines.append("\(dry)\(summary.source) → \(database):")
                for (noun, kind) in summary.kinds where !kind.rows.isEmpty {
                    lines.append("  \(noun.padding(toLength: 12, withPad: " ", startingAt: 0))\(kind.rows.count) merged: \(kind.added) added, \(kind.unchanged) already recorded, \(kind.rejected.count) rejected")
                }
                if summary.kinds.allSatisfy(\.summary.rows.isEmpty) { lines.append("  nothing to merge") }
            }
            if dryRun { lines.append("dry run: nothing was written to \(database)") }
            Output.print(lines.joined(separator: "\n"))
            return rejected > 0
        }

        /// How a rejection names its record: a mask by its id in the source and its file, a
        /// model by its id there and its fold and run.
        static func label(_ row: ImportSummary.RowResult, noun: String) -> String {
            switch noun {
            case "masks": "mask \(row.line) (\(row.path))"
            case "models": "model \(row.line) (\(row.path))"
            case "evaluations": "evaluation of \(row.path)"
            default: row.path
            }
        }
    }
}
