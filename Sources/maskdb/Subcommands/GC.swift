import ArgumentParser
import CLISupport
import Import
import SQLiteStore
import Study

extension MaskDB {
    /// `maskdb gc`: delete the stored files no record refers to any more.
    struct GC: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gc",
            abstract: "Delete the stored files (mask, atlas, weights blobs) no record refers to any more.",
            discussion: """
                A removed mask's file stays stored until gc: removing a record never deletes bytes. A file any mask, \
                atlas or model refers to is never deleted. The audit log names each deleted file and its size. \
                SQLite reuses the freed pages; --vacuum also gives them back to the file system (it rewrites the file).
                """)

        @OptionGroup var store: StoreOptions

        /// Say what would go, delete nothing.
        @Flag(help: "Print what would be deleted, and delete nothing.")
        var dryRun = false

        /// Shrink the file.
        @Flag(help: "Then compact the database file (VACUUM), so that it shrinks by what was deleted.")
        var vacuum = false

        func validate() throws {
            if dryRun && vacuum { throw ValidationError("--vacuum rewrites the file; a --dry-run writes nothing: give one of them") }
        }

        func run() throws {
            let database = try store.open()
            let garbage = try database.collectGarbage(command: InvocationText.current, dryRun: dryRun)
            if vacuum { try database.compact() }
            Output.print(CorrectionSummary.collected(garbage, dryRun: dryRun, vacuumed: vacuum, location: database.path))
        }
    }
}
