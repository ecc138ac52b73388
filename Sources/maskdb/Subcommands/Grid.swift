import Analysis
import ArgumentParser
import MaskStore
import Reports

extension MaskDB {
    /// `maskdb grid`: a grid search's table of means.
    struct Grid: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Grid-search table: the mean of a value over masks, by two settings (the poster's Figure 1).",
            discussion: """
                density: a mask's mean perturbation over every atlas voxel. prob: the probability its own model \
                gives to inputs it masks (from evaluations). params.NAME: a numeric parameter of the mask.
                """)

        @OptionGroup var store: StoreOptions

        @Option(help: ArgumentHelp("The setting along the rows.", valueName: "field"))
        var rows = "lambda1"

        @Option(help: ArgumentHelp("The setting along the columns.", valueName: "field"))
        var cols = "lambda2"

        @Option(help: ArgumentHelp("density, prob or params.NAME.", valueName: "value"))
        var value = "density"

        @Flag(help: "Add the number of masks behind each cell.")
        var counts = false

        @OptionGroup var filter: FilterOptions
        @OptionGroup var output: FormatOptions

        func validate() throws {
            try StudySelection.validate(field: rows, option: "--rows")
            try StudySelection.validate(field: cols, option: "--cols")
            guard value == "density" || value == "prob" || (value.hasPrefix("params.") && value.count > 7) else {
                throw ValidationError("'--value \(value)': use density, prob or params.NAME")
            }
        }

        func run() async throws {
            let selection = try StudySelection(
                store: try store.open(),
                filter: try filter.filter(fields: MaskRecord.filterFields, paramsColumn: MaskRecord.paramsColumn))
            let grid = GridSearch.table(selection.samples, rows: rows, columns: cols, value: Self.value(value, selection))
            Output.print(AnalysisTables.grid(grid, counts: counts).rendered(as: output.format))
        }

        /// How to read `name` off a mask.
        static func value(_ name: String, _ selection: StudySelection) -> (MaskSample) -> Double? {
            switch name {
            case "density":
                return { $0.meanDensity }
            case "prob":
                let probabilities = GridSearch.ownModelProbability(selection.evaluations)
                return { probabilities[$0.id] }
            default:
                return { sample in
                    if case .number(let n) = sample[name] { return n }
                    return nil
                }
            }
        }
    }
}
