import Analysis
import ArgumentParser
import CLISupport
import StudyCore
import Reports

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
        @OptionGroup var output: FormatOptions

        func run() throws {
            let selection = try StudySelection(store: try store.open(), filter: try filter.maskFilter(), using: grid.fields)
            let table = GridSearch.table(selection.samples, rows: grid.rows, columns: grid.cols, value: Self.value(grid.value, selection))
            Output.print(AnalysisTables.grid(table, counts: counts).rendered(as: output.format))
        }

        /// How to read `name` off a mask.
        static func value(_ value: GridValue, _ selection: StudySelection) -> (MaskSample) -> Double? {
            switch value {
            case .density:
                return { $0.meanDensity }
            case .prob:
                let probabilities = GridSearch.ownModelProbability(selection.evaluations)
                return { probabilities[$0.id] }
            case .parameter(let name):
                return { sample in
                    if case .number(let n) = sample[.parameter(name)] { return n }
                    return nil
                }
            }
        }
    }
}
