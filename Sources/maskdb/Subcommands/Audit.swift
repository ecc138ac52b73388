import ArgumentParser
import CLISupport
import SQLiteStore
import Study

extension MaskDB {
    /// `maskdb audit`: which settings produced this mask?
    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "Show every record of a mask: its study, fold, run, model, λ settings and import.",
            discussion: "TARGET is a mask file (hashed), a mask id, or a sha256 (or a prefix of at least 8 hex digits).")

        @OptionGroup var store: StoreOptions

        /// The mask to look up.
        @Argument(help: ArgumentHelp("A mask file, mask id or sha256 (prefix).", valueName: "target"))
        var target: String

        /// Text or JSON.
        @Option(help: "Output format: text or json.")
        var format: SummaryFormat = .text

        func run() throws {
            let records = try store.open().audit(target)
            switch format {
            case .json: Output.print(AuditSummary.json(records).rendered(pretty: true))
            case .text: Output.print(AuditSummary.text(records))
            }
        }
    }
}
