import ArgumentParser
import CLISupport
import Reports
import SQLiteStore
import Study

extension MaskDB {
    /// `maskdb robustness`: do masks agree across runs and folds?
    struct Robustness: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "robustness",
            abstract: "Inter-run and inter-fold agreement of masks (the poster's CNN robustness table).",
            discussion: """
                prob_cnn: mean probability of the true class that a model gives to inputs masked by a mask of \
                another run (same fold) or another fold (same run); 0 = similar, 1 = dissimilar. roi_cosine: \
                mean cosine similarity of the density vectors of masks of another run (same fold) or fold \
                (same run) with every other setting equal; 1 = similar. Each mean has its interval (a \
                bootstrap of models: folds and runs resampled, so that a model's many pairs count once; an \
                evaluation is a pair of models); difference is inter-runs - inter-folds, with its interval and two-sided p-value; random_pairs \
                is the mean over masks of different models and different settings, the baseline of chance. \
                --metric measures mask pairs another way (its row is named after it, e.g. roi_pearson, \
                topk_stability), with the same pairs, intervals and baseline.
                """)

        @OptionGroup var store: StoreOptions

        /// How two masks' agreement is measured.
        @Option(help: """
            How two masks agree: roi (cosine of density vectors), pearson, spearman (of density vectors), \
            stability (Nogueira's, of the top-k regions), topk-jaccard, dice, jaccard or voxel-pearson (of the stored voxels).
            """)
        var metric: SimilarityMetric = .roi

        @OptionGroup(title: "Measures") var measures: MeasureFlags

        @OptionGroup var pairs: PairingOptions
        @OptionGroup var filter: FilterOptions
        @OptionGroup var measured: MeasuredAtlasOption
        @OptionGroup var output: FormatOptions
        @OptionGroup(title: "Intervals") var intervals: IntervalFlags

        func validate() throws {
            if metric == .prob { throw ValidationError("'--metric prob': robustness always shows prob_cnn; --metric chooses the measure of mask pairs") }
            try pairs.check(comparing: [.run, .fold])
        }

        func run() throws {
            let database = try store.open()
            let selection = try StudySelection(store: database, filter: try filter.maskFilter(in: database), using: pairs.fields, atlas: measured.atlas)
            filter.noteIfEmpty(selection.masks.count, records: .masks)
            let voxels = try selection.voxelMaps(for: metric, store: database, options: measures.voxelOptions, jobs: measures.workers)
            let table = selection.robustness(pairing: pairs.pairing, metric: metric, k: measures.k, voxels: voxels, intervals: intervals.options)
            Output.print(AnalysisTables.robustness(table).rendered(as: output.format))
            if !selection.masks.isEmpty {
                PairingOptions.printNotes(
                    (metric == .roi ? [] : [metric.meaning(k: measures.k)]) + selection.poolingNotes(pairs.pairing) + [table.intervals.description]
                        + (table.roiRandomPairsSampled
                            ? ["random_pairs: the mean of \(table.roiRandomPairs.count) of the pairs drawn at random (seed \(table.intervals.seed)), too many to visit one by one"]
                            : [])
                        + selection.kindNotes(pairs.pairing) + selection.pairNotes(table, pairing: pairs.pairing))
            }
        }
    }
}
