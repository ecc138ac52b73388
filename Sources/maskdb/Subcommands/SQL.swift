import Store
import StudyCore
import ArgumentParser
import CLISupport
import SQLiteStore
import Reports

extension MaskDB {
    /// `maskdb sql`: a read-only query.
    struct SQL: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sql",
            abstract: "Run a read-only SQL query (views: mask_settings, mask_region_densities, model_performance).")

        @OptionGroup var store: StoreOptions

        /// The query.
        @Argument(help: ArgumentHelp("One SELECT statement.", valueName: "query"))
        var query: String

        @OptionGroup var output: FormatOptions

        func run() throws {
            let result = try SQLiteStore.query(path: store.path, sql: query)
            var table = Table(columns: result.columns.map { .init($0, decimals: nil) })
            for row in result.rows {
                table.append(row.map { value in
                    switch value {
                    case .null: .empty
                    case .integer(let i): .integer(Int(i))
                    case .real(let d): .number(d)
                    case .text(let t): .text(t)
                    case .blob(let size): .text("<blob \(size) bytes>")
                    }
                })
            }
            Output.print(table.rendered(as: output.format))
        }
    }
}
