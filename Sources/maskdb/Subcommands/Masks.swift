import ArgumentParser
import CLISupport
import SQLiteStore
import Study

extension MaskDB {
    /// `maskdb masks`: the recorded masks and their settings.
    struct Masks: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "masks", abstract: "List the recorded masks and their settings.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var filter: FilterOptions
        @OptionGroup var output: FormatOptions

        func run() throws {
            let database = try store.open()
            let masks = try database.masks(where: filter.maskFilter(in: database, oneStudy: false))
            filter.noteIfEmpty(masks.count, records: .masks)
            // People get sha256 prefixes, machines the whole digest.
            Output.print(RecordTables.masks(masks, short: output.format == .table || output.format == .md).rendered(as: output.format))
        }
    }
}
