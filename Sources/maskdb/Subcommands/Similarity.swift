import Store
import StudyCore
import Analysis
import ArgumentParser
import CLISupport
import SQLiteStore
import Reports

extension MaskDB {
    /// `maskdb similarity`: how alike masks are across the values of one setting.
    struct Similarity: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "similarity",
            abstract: "Similarity matrix across the values of a setting (the poster's Table 1 for --by lambda1).",
            discussion: """
                roi: cell (a, b) is the mean cosine similarity of the density vectors of masks with FIELD = a \
                and FIELD = b that share the model and every other setting (1 = same regions); the diagonal is 1. \
                prob (--by run or fold): cell (a, b) is the mean probability that models with FIELD = b give to \
                inputs masked by masks of models with FIELD = a, the other of run and fold being equal \
                (0 = the masks transfer).
                """)

        @OptionGroup var store: StoreOptions

        /// The setting.
        @Option(
            help: ArgumentHelp("The setting: \(StudyField.compared.map(\.name).joined(separator: ", ")) or params.NAME.", valueName: "field"),
            transform: StudyField.compared)
        var by: StudyField

        /// Which similarity.
        @Option(help: "roi (cosine of density vectors) or prob (CNN probabilities; --by run or fold).")
        var metric: Metric = .roi

        /// Pair counts.
        @Flag(help: "Add the number of pairs behind each cell.")
        var counts = false

        @OptionGroup var filter: FilterOptions
        @OptionGroup var output: FormatOptions

        enum Metric: String, ExpressibleByArgument, CaseIterable { case roi, prob }

        func validate() throws {
            if metric == .prob && by != .run && by != .fold {
                throw ValidationError("'--metric prob' compares models: use --by run or --by fold")
            }
        }

        func run() throws {
            let selection = try StudySelection(store: try store.open(), filter: try filter.maskFilter(), using: [("--by", by)])
            let matrix = metric == .roi
                ? Analysis.Similarity.roi(selection.samples, by: by)
                : Analysis.Similarity.prob(selection.evaluations, by: by)
            Output.print(AnalysisTables.similarity(matrix, counts: counts).rendered(as: output.format))
        }
    }
}
