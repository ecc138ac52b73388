import Store
import StudyCore
import ArgumentParser
import CLISupport
import SQLiteStore
import Reports

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
            let models = try database.models(where: filter.modelFilter())
            Output.print(Self.table(models).rendered(as: output.format))
        }

        static func table(_ models: [ModelRecord]) -> Table {
            let metricNames = Set(models.flatMap { $0.metrics.map { "metric.\($0.dataset).\($0.metric)" } }).sorted()
            var table = Table(
                columns: [
                    .init("id"), .init("study"), .init("fold"), .init("run"), .init("model"), .init("architecture"),
                    .init("masks"), .init("weights_sha256"), .init("params"),
                ] + metricNames.map { .init($0, decimals: 4) })
            for model in models {
                let values = Dictionary(uniqueKeysWithValues: model.metrics.map { ("metric.\($0.dataset).\($0.metric)", $0.value) })
                table.append(
                    [
                        .integer(Int(model.id)), .text(model.study), .integer(model.fold), .integer(model.run),
                        .text(model.name), .text(model.architecture), .integer(model.maskCount),
                        .text(model.weightsSHA256 ?? ""), .text(model.params.isEmpty ? "" : model.params.json),
                    ] + metricNames.map { .number(values[$0]) })
            }
            return table
        }
    }
}
