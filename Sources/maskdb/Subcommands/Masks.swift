import Store
import StudyCore
import ArgumentParser
import CLISupport
import SQLiteStore
import Reports

extension MaskDB {
    /// `maskdb masks`: the recorded masks and their settings.
    struct Masks: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "masks", abstract: "List the recorded masks and their settings.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var filter: FilterOptions
        @OptionGroup var output: FormatOptions

        func run() throws {
            let database = try store.open()
            let masks = try database.masks(
                where: filter.maskFilter())
            Output.print(Self.table(masks, short: output.format == .table || output.format == .md).rendered(as: output.format))
        }

        /// One row per mask; people get sha256 prefixes, machines the whole digest.
        static func table(_ masks: [MaskRecord], short: Bool) -> Table {
            var table = Table(columns: [
                .init("id"), .init("sha256"), .init("study"), .init("fold"), .init("run"), .init("model"),
                .init("lambda1", decimals: nil), .init("lambda2", decimals: nil), .init("beta1", decimals: nil),
                .init("beta2", decimals: nil), .init("subjects"), .init("semantics"), .init("atlas"), .init("params"),
                .init("source"),
            ])
            for mask in masks {
                table.append([
                    .integer(Int(mask.id)), .text(short ? String(mask.sha256.prefix(12)) : mask.sha256), .text(mask.study),
                    .integer(mask.fold), .integer(mask.run), .text(mask.model), .number(mask.lambda1), .number(mask.lambda2),
                    .number(mask.beta1), .number(mask.beta2), .text(mask.subjects), .text(mask.semantics.rawValue), .text(mask.atlas),
                    .text(mask.params.isEmpty ? "" : mask.params.json), .text(mask.source),
                ])
            }
            return table
        }
    }
}
