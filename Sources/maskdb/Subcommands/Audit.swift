import ArgumentParser
import CLISupport
import SQLiteStore
import Store
import Study

extension MaskDB {
    /// `maskdb audit`: which settings produced this mask?
    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "Show every record of a mask (its study, fold, run, model, λ settings and import) and its file's history.",
            discussion: "TARGET is a mask file (hashed), a mask id, or a sha256 (or a prefix of at least 8 hex digits). The text output ends with the file's history from the audit log: each import that added it, each amendment (old → new settings), each removal, and the deletion of its stored bytes; a removed file has a history too. --format json prints the current records only.")

        @OptionGroup var store: StoreOptions

        /// The mask to look up.
        @Argument(help: ArgumentHelp("A mask file, mask id or sha256 (prefix).", valueName: "target"))
        var target: String

        /// Text or JSON.
        @Option(help: "Output format: text or json.")
        var format: SummaryFormat = .text

        func run() throws {
            let database = try store.open()
            // A removed file has no record left, but a history.
            var records: [AuditRecord] = []
            do {
                records = try database.audit(target)
            } catch StoreError.notRecorded {}
            let history: [HistoryEvent]
            do {
                history = try database.history(target)
            } catch StoreError.notRecorded where !records.isEmpty {
                history = []
            }
            switch format {
            case .json: Output.print(AuditSummary.json(records).rendered(pretty: true))
            case .text:
                Output.print((records.isEmpty ? [] : [AuditSummary.text(records)]).joined() + (history.isEmpty ? "" : (records.isEmpty ? "" : "\n\n") + AuditSummary.history(history)))
            }
        }
    }
}
