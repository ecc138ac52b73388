import ArgumentParser
import CLISupport
import Foundation
import Reports
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

        /// Rows are printed as SQLite produces them (see `TableStream`): a result of any size
        /// takes bounded memory, and `| head` sees the first rows at once.
        func run() throws {
            let out = BufferedOutput()
            var table: TableStream?
            try SQLiteStore.query(path: store.path, sql: query) { names in
                table = TableStream(columns: RecordTables.queryColumns(names), format: output.format, write: out.write)
            } row: { row in
                table?.append(RecordTables.queryRow(row.map(QueryValue.init)))
                return true
            }
            table?.finish()
            out.flush()
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

/// Standard output in 64 KiB writes: one system call per row would slow a large result down.
private final class BufferedOutput {
    private var buffer: [UInt8] = []

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
