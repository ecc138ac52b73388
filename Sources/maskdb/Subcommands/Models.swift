import ArgumentParser
import CLISupport
import SQLiteStore
import Study

extension MaskDB {
    /// `maskdb models`: the recorded models and their metrics.
    struct Models: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "models",
            abstract: "List the recorded models with their metrics (one column per metric.DATASET.NAME).")

        @OptionGroup var store: StoreOptions
        @OptionGroup var filter: FilterOptions
        @OptionGroup var output: FormatOptions

        func run() throws {
            let database = try store.open()
            let models = try database.models(where: filter.modelFilter(in: database))
            filter.noteIfEmpty(models.count, records: .models)
            Output.print(RecordTables.models(models).rendered(as: output.format))
        }
    }
}
