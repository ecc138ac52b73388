import Store
import StudyCore
import ArgumentParser
import CLISupport
import Formatting
import SQLiteStore
import Reports

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
        var format: AuditFormat = .text

        enum AuditFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

        func run() throws {
            let records = try store.open().audit(target)
            switch format {
            case .json:
                Output.print(JSONValue.array(records.map(Self.json)).rendered(pretty: true))
            case .text:
                Output.print(records.map(Self.text).joined(separator: "\n\n"))
            }
        }

        static func json(_ record: AuditRecord) -> JSONValue {
            let mask = record.mask, model = record.model
            return .object([
                ("mask_id", .integer(Int(mask.id))),
                ("sha256", .string(mask.sha256)),
                ("study", .string(mask.study)),
                ("fold", .integer(mask.fold)),
                ("run", .integer(mask.run)),
                ("model", .object([
                    ("id", .integer(Int(model.id))),
                    ("name", .string(model.name)),
                    ("architecture", .string(model.architecture)),
                    ("params", .raw(model.params.json)),
                    ("metrics", .object(model.metrics.map { ("\($0.dataset).\($0.metric)", .number($0.value)) })),
                    ("weights_sha256", model.weightsSHA256.map { .string($0) } ?? .null),
                ])),
                ("lambda1", .number(mask.lambda1)),
                ("lambda2", .number(mask.lambda2)),
                ("beta1", .number(mask.beta1)),
                ("beta2", .number(mask.beta2)),
                ("subjects", .string(mask.subjects)),
                ("semantics", .string(mask.semantics.rawValue)),
                ("params", .raw(mask.params.json)),
                ("atlas", .string(mask.atlas)),
                ("source", .string(mask.source)),
                ("imported_at", .string(mask.importedAt)),
                ("import_command", .string(record.importCommand)),
                ("manifest", record.manifestPath.map { .string($0) } ?? .null),
                ("manifest_line", record.manifestLine.map { .integer($0) } ?? .null),
            ])
        }

        static func text(_ record: AuditRecord) -> String {
            let mask = record.mask, model = record.model
            func number(_ value: Double?) -> String { value.map(NumberText.exact) ?? "-" }
            var lines = [
                "mask \(mask.id)  sha256 \(mask.sha256)",
                "  study        \(mask.study)",
                "  fold \(mask.fold), run \(mask.run)" + (mask.model.isEmpty ? "" : ", model \(mask.model)"),
                "  λ1 \(number(mask.lambda1)), λ2 \(number(mask.lambda2)), β1 \(number(mask.beta1)), β2 \(number(mask.beta2))",
                "  subjects     \(mask.subjects.isEmpty ? "-" : mask.subjects)",
                "  semantics    \(mask.semantics)",
                "  atlas        \(mask.atlas)",
            ]
            if !mask.params.isEmpty { lines.append("  parameters   \(mask.params.json)") }
            lines.append("  model        id \(model.id)" + (model.architecture.isEmpty ? "" : ", \(model.architecture)"))
            if !model.params.isEmpty { lines.append("    training   \(model.params.json)") }
            for metric in model.metrics {
                lines.append("    \(metric.dataset) \(metric.metric) = \(NumberText.exact(metric.value))")
            }
            if let weights = model.weightsSHA256 { lines.append("    weights    sha256 \(weights)") }
            lines.append("  source       \(mask.source)")
            let origin = record.manifestPath.map { " from \($0)" + (record.manifestLine.map { " line \($0)" } ?? "") } ?? ""
            lines.append("  imported     \(mask.importedAt)\(origin)")
            lines.append("  by           \(record.importCommand)")
            return lines.joined(separator: "\n")
        }
    }
}
