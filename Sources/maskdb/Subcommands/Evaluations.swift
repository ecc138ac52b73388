import ArgumentParser
import CLISupport
import SQLiteStore
import Study

extension MaskDB {
    /// `maskdb evaluations`: the recorded probabilities of masked inputs.
    struct Evaluations: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "evaluations",
            abstract: "List the recorded evaluations: the probability a model gives to inputs masked by a mask.",
            discussion: "--where selects the evaluated masks (their fields); each row names the mask, its model and the evaluating model.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var filter: FilterOptions
        @OptionGroup var output: FormatOptions

        func run() throws {
            let database = try store.open()
            let masks = try database.masks(where: filter.maskFilter(in: database, oneStudy: false))
            let evaluations = try database.evaluations(maskIDs: masks.map(\.id))
            filter.noteIfEmpty(evaluations.count, records: .evaluations)
            Output.print(RecordTables.evaluations(evaluations, of: masks).rendered(as: output.format))
        }
    }
}
