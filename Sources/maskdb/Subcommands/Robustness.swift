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
                (same run) with every other setting equal; 1 = similar. Each ROI mean has its interval (a \
                bootstrap of models: folds and runs resampled, so that a model's many pairs count once); \
                difference is inter-runs - inter-folds, with its interval and two-sided p-value; random_pairs \
                is the mean over masks of different models and different settings, the baseline of chance.
                """)

        @OptionGroup var store: StoreOptions
        @OptionGroup var pairs: PairingOptions
        @OptionGroup var filter: FilterOptions
        @OptionGroup var measured: MeasuredAtlasOption
        @OptionGroup var output: FormatOptions
        @OptionGroup(title: "Intervals") var intervals: IntervalFlags

        func validate() throws {
            try pairs.check(comparing: [.run, .fold])
        }

        func run() throws {
            let database = try store.open()
            let selection = try StudySelection(store: database, filter: try filter.maskFilter(in: database), using: pairs.fields, atlas: measured.atlas)
            filter.noteIfEmpty(selection.masks.count, records: .masks)
            let table = selection.robustness(pairing: pairs.pairing, intervals: intervals.options)
            Output.print(AnalysisTables.robustness(table).rendered(as: output.format))
            if !selection.masks.isEmpty {
                PairingOptions.printNotes(
                    selection.poolingNotes(pairs.pairing) + [table.intervals.description] + selection.kindNotes(pairs.pairing) + selection.pairNotes(table, pairing: pairs.pairing))
            }
        }
    }
}
