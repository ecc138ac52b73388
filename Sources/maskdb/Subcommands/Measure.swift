import ArgumentParser
import CLISupport
import Import
import SQLiteStore
import Store

extension MaskDB {
    /// `maskdb measure`: recorded masks' densities over a registered atlas, from their stored files.
    struct Measure: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "measure",
            abstract: "Compute the selected records' densities over a registered atlas from their stored files.",
            discussion: """
                Every record --where (and --study) selects that has no densities over the atlas yet is measured \
                from its stored file (its sha256 checked first), on its recorded grid, with its semantics, the \
                atlas resampled onto its grid (nearest neighbour) when they differ; records already measured are \
                left as they are. All of it is written in one transaction: a damaged file or a record that does \
                not overlap the atlas writes nothing. Analyses then read them with --atlas NAME.
                """)

        @OptionGroup var store: StoreOptions

        /// The atlas.
        @Option(help: ArgumentHelp("The registered atlas to measure over (maskdb atlases).", valueName: "name"))
        var atlas: String

        @OptionGroup var filter: FilterOptions

        /// Say what would change, change nothing.
        @Flag(help: "Measure everything in a transaction, print what it would write, then roll it back.")
        var dryRun = false

        /// Parallel decodes.
        @Option(help: "How many files to decode and measure at once (default: the machine's cores; at most 4 per core).")
        var jobs: Int?

        func validate() throws {
            if let jobs { try JobsLimit.check(jobs) }
        }

        func run() throws {
            let database = try store.open()
            let progress = ProgressBar(label: "measuring over \(atlas)")
            var options = ImportOptions(
                dryRun: dryRun, command: InvocationText.current, progress: { done, total in progress.update(done, total) })
            if let jobs { options.jobs = jobs }
            let summary = try database.measure(atlas: atlas, filter: try filter.maskFilter(in: database, oneStudy: false), options: options)
            filter.noteIfEmpty(summary.selected, records: .masks)
            let plural = { (n: Int) in n == 1 ? "" : "s" }
            var line = "\(dryRun ? "dry run: would measure" : "measured") \(summary.measured) record\(plural(summary.measured)) over \(summary.atlas)"
            if summary.measured > summary.filesDecoded { line += " (\(summary.filesDecoded) file\(plural(summary.filesDecoded)) decoded)" }
            if summary.alreadyMeasured > 0 {
                line += "; \(summary.alreadyMeasured) already measured over it, left as \(summary.alreadyMeasured == 1 ? "it was" : "they were")"
            }
            Output.print(line)
            if dryRun { Output.print("dry run: nothing was written to \(store.path)") }
        }
    }
}
