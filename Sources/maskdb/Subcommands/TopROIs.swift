import Analysis
import ArgumentParser
import CLISupport
import Reports
import SQLiteStore
import Study
import StudyCore

extension MaskDB {
    /// `maskdb top-rois`: the regions masked most.
    struct TopROIs: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "top-rois",
            abstract: "The regions masked most: per group, every region in some mask's top k.",
            discussion: """
                Regions are ranked by density within each mask; rows are ranked by how many masks have the \
                region in their top k, then by mean density. With --merge-hemispheres, X_L and X_R merge into X \
                (densities weighted by voxel counts) and the label is left empty. mean_density_lower and \
                mean_density_upper are the mean density's interval: a bootstrap of models (folds and runs \
                resampled, crossed; a mask weighs the draws of its fold and its run), none for a group of one model.
                """)

        @OptionGroup var store: StoreOptions

        /// How many regions per mask count.
        @Option(help: "How many of each mask's densest regions count.")
        var k = 5

        /// Grouping.
        @Option(help: ArgumentHelp("Rank separately per value of this setting.", valueName: "field"), transform: StudyField.compared)
        var by: StudyField?

        /// Merge left and right.
        @Flag(help: "Merge _L and _R regions.")
        var mergeHemispheres = false

        @OptionGroup var filter: FilterOptions
        @OptionGroup var measured: MeasuredAtlasOption
        @OptionGroup var output: FormatOptions
        @OptionGroup(title: "Intervals") var intervals: IntervalFlags

        func validate() throws {
            guard k >= 1 else { throw ValidationError("'--k \(k)': give at least 1") }
        }

        func run() throws {
            let database = try store.open()
            let selection = try StudySelection(store: database, filter: try filter.maskFilter(in: database), using: [("--by", by)], atlas: measured.atlas)
            filter.noteIfEmpty(selection.masks.count, records: .masks)
            let rows = selection.topRegions(k: k, by: by, mergeHemispheres: mergeHemispheres, intervals: intervals.options)
            Output.print(AnalysisTables.topRegions(rows).rendered(as: output.format))
            PairingOptions.printNotes(
                selection.kindNotes(grouping: by.map { [$0] } ?? [], pooling: "the rows pool the records of") + selection.poolingNotes()
                    + (rows.isEmpty ? [] : [MaskMeanBootstrap.description(intervals.options)]))
        }
    }
}
