import ArgumentParser
import CLISupport
import Foundation
import Import
import SQLiteStore
import Study

extension MaskDB {
    /// `maskdb rm`: remove recorded masks (or models), keeping what they were in the audit log.
    struct Rm: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Remove recorded masks with their densities and evaluations (or, with --models, unused models).",
            discussion: """
                TARGET is a mask id, a sha256 (or a prefix of at least 8 hex digits) or a mask file: each names every \
                record of its file. With --where (and --study), only the records matching it; with --where and no \
                target, every record matching it. Naming nothing, or matching nothing, is an error: rm never removes \
                everything unasked. Every removed record's fields stay in the audit log (maskdb audit TARGET); the \
                files stay stored until maskdb gc. --models removes the models matching --where that no mask or \
                evaluation refers to (their metrics with them); a model still referred to refuses the removal.
                """)

        @OptionGroup var store: StoreOptions

        /// The masks.
        @Argument(help: ArgumentHelp("Mask ids, sha256 (prefixes) or mask files.", valueName: "target"))
        var targets: [String] = []

        @OptionGroup var filter: FilterOptions

        /// Models instead of masks.
        @Flag(help: "Remove the models matching --where (over model fields) instead of masks.")
        var models = false

        /// Say what would go, remove nothing.
        @Flag(help: "Print what would be removed, and remove nothing.")
        var dryRun = false

        func validate() throws {
            if let expression = filter.expression, expression.allSatisfy(\.isWhitespace) {
                throw ValidationError("--where is empty; give an expression such as \"fold = 0\" (rm never removes everything unasked)")
            }
            if targets.isEmpty && filter.expression == nil {
                throw ValidationError(models
                    ? "name the models to remove with --where EXPR (rm never removes everything unasked)"
                    : "name the masks to remove: mask ids, sha256 (prefixes) or files, or --where EXPR (rm never removes everything unasked)")
            }
            if models && !targets.isEmpty {
                throw ValidationError("--models removes models by --where alone, e.g. --where \"fold = 4 and run = 2\"; give no target")
            }
        }

        func run() throws {
            let database = try store.open()
            if models {
                let filter = filter.expression == nil ? nil : try filter.modelFilter(in: database)
                let models = try database.modelsToRemove(filter: filter, filterText: self.filter.expression)
                try database.removeModels(models, command: InvocationText.current, dryRun: dryRun)
                Output.print(CorrectionSummary.removed(models, dryRun: dryRun, location: database.path))
                return
            }
            // --study alone only scopes: it never names every record of a study by itself.
            let scoped = filter.expression != nil || (filter.study != nil && !targets.isEmpty)
            let ids = try database.masksToRemove(
                targets: targets, filter: scoped ? try filter.maskFilter(in: database, oneStudy: false) : nil,
                filterText: filter.expression)
            let removed = try database.removeMasks(ids, command: InvocationText.current, dryRun: dryRun)
            Output.print(CorrectionSummary.removed(removed, dryRun: dryRun, location: database.path))
        }
    }
}
