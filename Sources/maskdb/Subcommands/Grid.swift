import ArgumentParser
import CLISupport
import Reports
import Study

extension MaskDB {
    /// `maskdb grid`: a grid search's table of means.
    struct Grid: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "grid",
            abstract: "Grid-search table: the mean of a value over masks, by two settings (the poster's Figure 1).",
            discussion: """
                density: a mask's mean perturbation over every atlas voxel. prob: the probability its own model \
                gives to inputs it masks (from evaluations). params.NAME: a numeric parameter of the mask.
                """)

        @OptionGroup var store: StoreOptions

        @OptionGroup var grid: GridOptions

        @Flag(help: "Add the number of masks behind each cell.")
        var counts = false

        @OptionGroup var filter: FilterOptions
        @OptionGroup var measured: MeasuredAtlasOption
        @OptionGroup var output: FormatOptions

        func run() throws {
            let database = try store.open()
            let selection = try StudySelection(store: database, filter: try filter.maskFilter(in: database), using: grid.fields, atlas: measured.atlas)
            filter.noteIfEmpty(selection.masks.count, records: .masks)
            let table = selection.grid(rows: grid.rows, columns: grid.cols, value: grid.value)
            Output.print(AnalysisTables.grid(table, counts: counts).rendered(as: output.format))
            PairingOptions.printNotes(
                selection.placementNotes(on: [grid.rows, grid.cols])
                    + selection.kindNotes(grouping: [grid.rows, grid.cols], pooling: "the cells pool the records of") + selection.poolingNotes())
        }
    }
}
