import Import
import Store
import StudyCore
import ArgumentParser
import CLISupport
import SQLiteStore

extension MaskDB {
    /// `maskdb import`: record masks, models or evaluations from a TSV manifest (masks and models also by a path pattern).
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Record masks, models or evaluations listed in a TSV manifest, masks and models a path pattern finds, or a ClinicaDL MAPS.",
            discussion: """
                Every row is checked before anything is written; all valid rows are then written in one \
                transaction, so an interrupted import leaves the database as it was, and running it again \
                finishes it (rows already recorded are left alone). Rejected rows are printed as \
                'row N: <path>: <reason>', N being the row's line in the manifest, and make the exit status 1. \
                With --pattern, the files found are the rows of a manifest (sorted by path; --dry-run prints it as \
                TSV), N being a file's line in it.
                """,
            subcommands: [Masks.self, Models.self, Evaluations.self, ClinicaDL.self])
    }
}

/// The options every import takes.
struct ImportArguments: ParsableArguments {
    @OptionGroup var store: StoreOptions

    /// The manifest (none with `--pattern`).
    @Argument(help: ArgumentHelp("The tab-separated manifest ('-': standard input, its paths relative to the current folder); none with --pattern.", valueName: "file.tsv"))
    var manifest: String?

    /// The default study.
    @Option(help: "The study for rows without a study column (default: the database's only study, else 'default').")
    var study: String?

    /// All or nothing.
    @Flag(help: "Write nothing at all if any row is rejected.")
    var strict = false

    /// Amend instead of adding or refusing.
    @Flag(help: ArgumentHelp(
        "Replace what a row contradicts: a mask file recorded for the same model and atlas with other settings is amended in place (same id); an evaluation's probability or a model's value is overwritten. The previous fields are kept in the audit log (maskdb audit)."))
    var replace = false

    /// Say what would change, change nothing.
    @Flag(help: "Check and write everything in a transaction, print what would change, then roll it back: the database stays byte for byte as it was (a missing one is not created).")
    var dryRun = false

    /// Parallel checks.
    @Option(help: "How many files to read, decode and measure at once (default: the machine's cores; at most 4 per core).")
    var jobs: Int?

    func validate() throws {
        if let jobs { try JobsLimit.check(jobs) }
    }

    /// Runs `body` with the database and options, then reports the summary. With a
    /// `--pattern`, a dry run prints the manifest it found as TSV on stdout, and the summary on stderr.
    func run(
        _ kind: ImportKind, noun: String, pattern: PatternOptions? = nil,
        _ body: (SQLiteStore, CheckedManifest, ImportOptions) throws -> ImportSummary
    ) throws {
        // Unreadable or unusable: say so before creating a database. Read once, imported as read.
        let checked: CheckedManifest
        let manifest: String
        if let pattern, let text = pattern.pattern {
            checked = try ManifestCheck.pattern(kind, text, root: pattern.root ?? ".", constants: pattern.fields)
            manifest = text
        } else {
            guard let path = self.manifest else { throw ValidationError("missing expected argument '<file.tsv>'") }
            checked = try ManifestCheck.header(kind, path: path)
            manifest = path
        }
        let database = try store.open(create: true, dryRun: dryRun)
        LargeBufferReuse.enable()
        let progress = ProgressBar(label: "importing \(noun)")
        var options = ImportOptions(
            study: study, strict: strict, replace: replace, dryRun: dryRun, command: InvocationText.current,
            progress: { done, total in progress.update(done, total) })
        if let jobs { options.jobs = jobs }
        let summary = try body(database, checked, options)
        if try Self.report(summary, label: manifest, noun: noun, database: store.path, dryRun: dryRun, replace: replace, generated: checked.generated) {
            throw ExitCode.failure
        }
    }

    /// Prints an import's rejections and summary (`label: N noun: ...`); with `generated`, a
    /// dry run prints that manifest's TSV on stdout and the summary on stderr. Returns true
    /// when a row was rejected; a `--strict` refusal is an error.
    static func report(
        _ summary: ImportSummary, label manifest: String, noun: String, database: String, dryRun: Bool, replace: Bool, generated: String?
    ) throws -> Bool {
        for row in summary.rejected {
            Output.error("row \(row.line): \(row.path.isEmpty ? "-" : row.path): \(row.message ?? "rejected")")
        }
        let replaced = replace ? "\(summary.replaced) replaced, " : ""
        let counts = "\(summary.added) added, \(replaced)\(summary.unchanged) already recorded, \(summary.rejected.count) rejected"
        let dry = dryRun ? "dry run: " : ""
        if summary.strictAbort {
            Output.error("maskdb: error: \(dry)\(manifest): nothing imported (--strict): \(summary.rejected.count) row\(summary.rejected.count == 1 ? "" : "s") rejected")
            throw ExitCode.failure
        }
        let studies = summary.studies.count == 1 ? "study \(summary.studies[0])" : "studies \(summary.studies.joined(separator: ", "))"
        // A dry run's summary is the real run's, marked; then each row that would change.
        var lines = ["\(dry)\(manifest): \(summary.rows.count) \(noun): \(counts) (\(database), \(studies))"]
        for row in summary.rows where row.outcome == .replaced || (dryRun && row.outcome == .added) {
            let verb = row.outcome == .added ? "would add" : dryRun ? "would replace" : "replaced"
            lines.append("  row \(row.line): \(row.path): \(verb)\(row.message.map { " \($0)" } ?? "")")
        }
        if dryRun { lines.append("dry run: nothing was written to \(database)") }
        if dryRun, let generated {
            Output.print(generated)
            Output.error(lines.joined(separator: "\n"))
        } else {
            Output.print(lines.joined(separator: "\n"))
        }
        return !summary.rejected.isEmpty
    }
}

extension MaskDB.Import {
    /// `maskdb import masks`.
    struct Masks: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "masks",
            abstract: "Record masks: their files, settings and density vectors.",
            discussion: """
                Required columns: path, fold, run, and lambda1, lambda2 for masks. Optional: study, beta1, beta2, \
                subjects, semantics (keep, the default, or perturb for a mask; attribution for an attribution map, \
                whose λs may be empty), kind (mask or attribution, agreeing with semantics), method (gradients, \
                grad-cam...), subject (the one subject a map explains), model (when a fold and run have several), \
                atlas (default aal2). A column setting.NAME is a setting of the lab's own (params.NAME); any other \
                column is kept as an annotation (annotation.NAME). Paths are relative to the manifest's folder. \
                Or the files a path pattern finds: \
                maskdb import masks --pattern 'results/fold-{fold}/run-{run}/lambda1-{lambda1}/**/mask.nii.gz' --set lambda2=0.001.
                """)

        @OptionGroup var arguments: ImportArguments
        @OptionGroup var pattern: PatternOptions

        func validate() throws {
            try pattern.validate(manifest: arguments.manifest)
        }

        func run() throws {
            try arguments.run(.masks, noun: "masks", pattern: pattern) { try $0.importMasks($1, options: $2) }
        }
    }

    /// `maskdb import models`.
    struct Models: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "models",
            abstract: "Record trained models: architecture, weights, training parameters and metrics.",
            discussion: """
                Required columns: fold, run. Optional: study, model, architecture, weights (a file, stored), \
                params.NAME (training parameters; param.NAME is read the same) and metric.DATASET.NAME (e.g. metric.AIBL-test.balanced_accuracy). \
                Or the weights files a path pattern finds: --pattern 'models/fold-{fold}/run-{run}/weights.pt'.
                """)

        @OptionGroup var arguments: ImportArguments
        @OptionGroup var pattern: PatternOptions

        func validate() throws {
            try pattern.validate(manifest: arguments.manifest)
        }

        func run() throws {
            try arguments.run(.models, noun: "models", pattern: pattern) { try $0.importModels($1, options: $2) }
        }
    }

    /// `maskdb import evaluations`.
    struct Evaluations: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "evaluations",
            abstract: "Record evaluations: the probability a model gives to inputs masked by a recorded mask.",
            discussion: """
                Required columns: mask (a recorded mask's file, sha256 or id), fold, run (the evaluating model), \
                probability. Optional: study, model, subjects, true_label, n.
                """)

        @OptionGroup var arguments: ImportArguments

        func validate() throws {
            if arguments.manifest == nil { throw ValidationError("missing expected argument '<file.tsv>'") }
        }

        func run() throws {
            try arguments.run(.evaluations, noun: "evaluations") {
                try $0.importEvaluations($1, options: $2)
            }
        }
    }
}
