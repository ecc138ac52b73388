import Analysis
import ArgumentParser
import CLISupport
import Reports
import SQLiteStore
import Study
import StudyCore

extension SimilarityMetric: ExpressibleByArgument {}

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
        @Option(help: """
            roi (cosine of density vectors), pearson, spearman (of density vectors), stability (Nogueira's, \
            of the top-k regions), topk-jaccard, dice, jaccard, voxel-pearson (of the stored voxels), or prob \
            (CNN probabilities; --by run or fold).
            """)
        var metric: SimilarityMetric = .roi

        @OptionGroup(title: "Measures") var measures: MeasureFlags

        /// Pair counts.
        @Flag(help: "Add the number of pairs behind each cell.")
        var counts = false

        /// Intervals.
        @Flag(help: "Add each cell's interval (a bootstrap of models: --ci, --resamples, --seed).")
        var intervals = false

        @OptionGroup(title: "Intervals") var intervalFlags: IntervalFlags

        @OptionGroup var pairs: PairingOptions
        @OptionGroup var filter: FilterOptions
        @OptionGroup var measured: MeasuredAtlasOption
        @OptionGroup var output: FormatOptions

        func validate() throws {
            if metric == .prob && by != .run && by != .fold {
                throw ValidationError("'--metric prob' compares models: use --by run or --by fold")
            }
            if metric == .prob && !(pairs.match + pairs.ignore).isEmpty {
                throw ValidationError("--match and --ignore pair masks: they apply to '--metric roi'")
            }
            try pairs.check(comparing: [by])
        }

        /// Why cells with pairs have no interval, when some have none.
        static func untoldIntervals(_ matrix: SimilarityMatrix) -> [String] {
            guard let intervals = matrix.intervals else { return [] }
            // Every printed cell (prob's are not symmetric, and its diagonal has pairs too).
            let untold = zip(matrix.pairs.joined(), intervals.joined()).count { pairs, interval in pairs > 0 && interval == nil }
            guard untold > 0 else { return [] }
            return ["\(untold) \(untold == 1 ? "cell has" : "cells have") pairs but no interval: their pairs are of one model, "
                + "or pooled over models (--ignore), which a bootstrap of models cannot resample"]
        }

        func run() throws {
            let database = try store.open()
            let selection = try StudySelection(
                store: database, filter: try filter.maskFilter(in: database), using: [("--by", by)] + pairs.fields, atlas: measured.atlas)
            filter.noteIfEmpty(selection.masks.count, records: .masks)
            let voxels = try selection.voxelMaps(for: metric, store: database, options: measures.voxelOptions, jobs: measures.workers)
            let matrix = selection.similarity(
                by: by, metric: metric, pairing: pairs.pairing, k: measures.k, voxels: voxels, intervals: intervals ? intervalFlags.options : nil)
            Output.print(AnalysisTables.similarity(matrix, counts: counts).rendered(as: output.format))
            if metric == .prob, let options = matrix.intervalOptions {
                PairingOptions.printNotes([options.description] + Self.untoldIntervals(matrix))
            }
            if metric != .prob && !selection.masks.isEmpty {
                var notes = metric == .roi ? [] : [metric.meaning(k: measures.k)]
                notes += matrix.intervalOptions.map { [$0.description] } ?? []
                notes += Self.untoldIntervals(matrix)
                notes += selection.placementNotes(on: [by]) + selection.poolingNotes(pairs.pairing, comparing: by)
                notes += selection.pairNotes(matrix, pairing: pairs.pairing)
                PairingOptions.printNotes(notes)
            }
        }
    }
}
