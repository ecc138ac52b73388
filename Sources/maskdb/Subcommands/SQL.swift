import ArgumentParser
import CLISupport
import SQLiteStore
import Study

extension MaskDB {
    /// `maskdb sql`: a read-only query.
    struct SQL: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sql",
            abstract: "Run a read-only SQL query (views: mask_settings, mask_region_densities, model_performance, evaluation_settings).")

        @OptionGroup var store: StoreOptions

        /// The query.
        @Argument(help: ArgumentHelp("One SELECT statement.", valueName: "query"))
        var query: String

        @OptionGroup var output: FormatOptions

        func run() throws {
            let result = try SQLiteStore.query(path: store.path, sql: query)
            Output.print(RecordTables.query(columns: result.columns, rows: result.rows.map { $0.map(QueryValue.init) }).rendered(as: output.format))
        }
    }
}

extension QueryValue {
    /// SQLite's value as the study library's (which knows no backend).
    init(_ value: SQLResult.Value) {
        switch value {
        case .null: self = .null
        case .integer(let i): self = .integer(i)
        case .real(let d): self = .real(d)
        case .text(let t): self = .text(t)
        case .blob(let size): self = .blob(size: size)
        }
    }
}
