import ArgumentParser

/// `--rows`, `--cols` and `--value`: what a grid search tabulates.
struct GridOptions: ParsableArguments {
    /// The setting along the rows.
    @Option(help: ArgumentHelp("The setting along the rows.", valueName: "field"))
    var rows = "lambda1"

    /// The setting along the columns.
    @Option(help: ArgumentHelp("The setting along the columns.", valueName: "field"))
    var cols = "lambda2"

    /// The value averaged in each cell.
    @Option(help: ArgumentHelp("density, prob or params.NAME.", valueName: "value"))
    var value = "density"

    /// The settings it reads, by option, for `StudySelection` to check.
    var fields: [(option: String, field: String?)] { [("--rows", rows), ("--cols", cols), ("--value", value)] }

    func validate() throws {
        try StudySelection.validate(field: rows, option: "--rows")
        try StudySelection.validate(field: cols, option: "--cols")
        guard value == "density" || value == "prob" || StudySelection.isParameter(value) else {
            throw ValidationError("'--value \(value)': use density, prob or params.NAME")
        }
    }
}
