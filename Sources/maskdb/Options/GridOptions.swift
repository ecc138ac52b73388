import ArgumentParser
import Study
import StudyCore

/// `--rows`, `--cols` and `--value`: what a grid search tabulates.
struct GridOptions: ParsableArguments {
    /// The setting along the rows.
    @Option(help: ArgumentHelp("The setting along the rows.", valueName: "field"), transform: StudyField.compared)
    var rows = StudyField.lambda1

    /// The setting along the columns.
    @Option(help: ArgumentHelp("The setting along the columns.", valueName: "field"), transform: StudyField.compared)
    var cols = StudyField.lambda2

    /// The value averaged in each cell.
    @Option(help: ArgumentHelp("density, prob or params.NAME.", valueName: "value"), transform: GridValue.parse)
    var value = GridValue.density

    /// The settings it reads, by option, for `StudySelection` to check.
    var fields: [(option: String, field: StudyField?)] {
        var fields: [(option: String, field: StudyField?)] = [("--rows", rows), ("--cols", cols)]
        if case .parameter(let name) = value { fields.append(("--value", .parameter(name))) }
        return fields
    }
}

extension GridValue: ExpressibleByArgument {
    /// `density`, `prob` or `params.NAME`.
    public init?(argument: String) { self.init(name: argument) }

    /// The default as help shows it.
    public var defaultValueDescription: String { description }

    /// Shells complete the names, and the parameter prefix.
    public static var defaultCompletionKind: CompletionKind { .list(names + [StudyField.parameterPrefix]) }

    /// Reads `text`, saying what it may be when it is none of them.
    static func parse(_ text: String) throws -> GridValue {
        guard let value = GridValue(name: text) else { throw ValidationError("use density, prob or params.NAME") }
        return value
    }
}
