import Store
import ArgumentParser
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

/// What a grid's cells average: a mask's mean perturbation, its own model's probability, or a parameter.
enum GridValue: Equatable, ExpressibleByArgument, CustomStringConvertible {
    case density
    case prob
    case parameter(String)

    init?(argument: String) {
        switch argument {
        case "density": self = .density
        case "prob": self = .prob
        default:
            guard case .parameter(let name)? = StudyField(name: argument) else { return nil }
            self = .parameter(name)
        }
    }

    var description: String {
        switch self {
        case .density: "density"
        case .prob: "prob"
        case .parameter(let name): StudyField.parameter(name).name
        }
    }

    var defaultValueDescription: String { description }

    /// Reads `text`, saying what it may be when it is none of them.
    static func parse(_ text: String) throws -> GridValue {
        guard let value = GridValue(argument: text) else { throw ValidationError("use density, prob or params.NAME") }
        return value
    }

    static var defaultCompletionKind: CompletionKind { .list(["density", "prob", StudyField.parameterPrefix]) }
}
