import ArgumentParser
import CLISupport
import Import
import SQLiteStore
import Store

extension MaskDB.Import {
    /// `maskdb import clinicadl`: what ClinicaDL MAPS folders hold.
    struct ClinicaDL: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "clinicadl",
            abstract: "Record what ClinicaDL MAPS folders hold: models (weights, hyperparameters, metrics) and attribution maps.",
            discussion: """
                A MAPS of ClinicaDL 1.x (maps.json; split-<i> or fold-<i> folders) or 2.0 (model.json; training/split-<i>). \
                Each best-<metric> folder of a split is a model: fold = the split, run = --run (each further MAPS \
                given takes the next run: one 1.x MAPS is one training), name best-<metric>, its weights, maps.json's \
                hyperparameters as params.NAME (nested keys joined by dots), every metrics TSV as metric.GROUP.NAME. \
                Each NIfTI map of interpret-<name> is an attribution map of that model: method <name>, subjects the \
                data group, subject <participant>_<session> for an individual map. ClinicaDL saves its maps with an \
                identity affine and a leading channel axis, (1, X, Y, Z): they are measured on the grid of --grid-from \
                FILE, or of the first image under --caps DIR that maps.json's preprocessing_dict.file_type.pattern \
                names (the channel axis dropped, the sizes checked). Models are imported first, then maps, each as a \
                manifest (--dry-run prints both as TSV, models first); what is missing or broken (a split still \
                training, a truncated map) is a rejected row, the rest is imported, and the exit status is 1.
                """)

        @OptionGroup var store: StoreOptions

        /// The MAPS folders.
        @Argument(help: ArgumentHelp("One or more ClinicaDL MAPS folders (one training each; the first is run --run, the next run --run + 1, ...).", valueName: "MAPS"))
        var maps: [String] = []

        /// Where the grid comes from: a CAPS.
        @Option(help: ArgumentHelp("A CAPS folder of the MAPS's preprocessing: its first image matching maps.json's preprocessing_dict.file_type.pattern gives the maps' grid.", valueName: "DIR"))
        var caps: String?

        /// Where the grid comes from: an image.
        @Option(help: ArgumentHelp("An image of the MAPS's preprocessing (a CAPS image): its sizes and affine are the maps' grid.", valueName: "FILE"))
        var gridFrom: String?

        /// The first MAPS's run.
        @Option(name: .customLong("run"), help: ArgumentHelp("The run of the first MAPS (default 0); each further MAPS takes the next.", valueName: "N"))
        var firstRun: Int = 0

        /// The default study.
        @Option(help: "The study the MAPS go to (default: the database's only study, else 'default').")
        var study: String?

        @Flag(help: "Write nothing of a manifest (the models', the maps') if any of its rows is rejected.")
        var strict = false

        @Flag(help: "Replace what a row contradicts (a model's weights, parameters or metrics), keeping the previous values in the audit log.")
        var replace = false

        @Flag(help: "Check and write everything in a transaction, print the manifests as TSV (models, then maps) and what would change, then roll it back.")
        var dryRun = false

        @Option(help: "How many files to read, decode and measure at once (default: the machine's cores; at most 4 per core).")
        var jobs: Int?

        func validate() throws {
            if maps.isEmpty { throw ValidationError("missing a MAPS folder") }
            if caps != nil && gridFrom != nil { throw ValidationError("give --caps or --grid-from, not both") }
            if firstRun < 0 { throw ValidationError("--run must be at least 0") }
            if let jobs { try JobsLimit.check(jobs) }
        }

        func run() throws {
            // Every MAPS read and its manifests made before a database is opened (or created).
            let imports = try maps.enumerated().map { index, path throws in
                let read = try ClinicaDLMAPS(path: path)
                return (path, try ManifestCheck.clinicaDL(read, run: firstRun + index, caps: caps, gridFrom: gridFrom))
            }
            let database = try store.open(create: true, dryRun: dryRun)
            LargeBufferReuse.enable()
            var rejected = false
            for (path, manifests) in imports {
                for note in manifests.maps.notes { Output.error("maskdb: note: \(path): \(note)") }
                if let grid = manifests.grid { Output.error("maskdb: note: \(path): its maps are measured on the grid of \(grid)") }
                var options = ImportOptions(study: study, strict: strict, replace: replace, dryRun: dryRun, command: InvocationText.current)
                if let jobs { options.jobs = jobs }
                let models = try database.importModels(manifests.models, options: options)
                rejected = try ImportArguments.report(
                    models, label: path, noun: "models", database: store.path, dryRun: dryRun, replace: replace,
                    generated: manifests.models.generated) || rejected
                if let masks = manifests.masks {
                    // The two manifests a dry run prints, apart.
                    if dryRun { Output.print("") }
                    let progress = ProgressBar(label: "importing maps")
                    options.progress = { done, total in progress.update(done, total) }
                    let summary = try database.importMasks(masks, options: options)
                    rejected = try ImportArguments.report(
                        summary, label: path, noun: "maps", database: store.path, dryRun: dryRun, replace: replace,
                        generated: masks.generated) || rejected
                }
            }
            if rejected { throw ExitCode.failure }
        }
    }
}
