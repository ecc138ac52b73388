import GRDB
import StudyCore

/// A filter rendered for SQLite: a boolean expression with `?` placeholders, and its
/// arguments in order.
///
/// Every comparison is parenthesized, and so is every `AND`, `OR` and `NOT`, so
/// the SQL never relies on operator precedence: `a = 1 or b = 2 and c = 3`
/// renders as `((a = ?) OR ((b = ?) AND (c = ?)))`. The SQL text is made only of the
/// columns the store names, fixed keywords, parentheses and `?`: what the user wrote
/// reaches SQLite only as arguments (a parameter's name too, as a JSON path).
struct SQLiteFilter: Equatable {
    /// The boolean SQL expression, for a `WHERE` clause.
    var sql: String
    /// The values for the `?` placeholders of `sql`, in order.
    var arguments: [FilterValue]

    /// `expression` over a table whose fields are the SQL expressions `column` gives,
    /// whose parameters and annotations are in the JSON columns `parameters` and
    /// `annotations`, and (for models) whose metrics are in `model_metrics` by `models.id`.
    init(_ expression: FilterExpression, column: (StudyField) -> String, parameters: String, annotations: String = "'{}'") {
        var arguments: [FilterValue] = []
        func left(_ field: StudyField, comparedWith values: [FilterValue]) -> String {
            if case let .metric(dataset, name) = field {
                arguments += [.text(dataset), .text(name)]
                return "(SELECT value FROM model_metrics WHERE model_metrics.model_id = models.id AND dataset = ? AND metric = ?)"
            }
            let json: String, name: String
            switch field {
            case .parameter(let parameter): (json, name) = (parameters, parameter)
            case .annotation(let annotation): (json, name) = (annotations, annotation)
            default: return column(field)
            }
            // The key is quoted so dots and dashes in it are not read as path steps.
            arguments.append(.text("$.\"\(name)\""))
            // Values are text as written: compared with a number, as the number they read
            // as (text that reads as none matches no comparison); else as text.
            if case .number = values.first { return "maskdb_number(json_extract(\(json), ?))" }
            return "CAST(json_extract(\(json), ?) AS TEXT)"
        }
        func render(_ expression: FilterExpression) -> String {
            switch expression {
            case .all:
                return "1"
            case let .compare(field, op, value):
                let left = left(field, comparedWith: [value])
                arguments.append(value)
                return "(\(left) \(op.rawValue) ?)"
            case let .member(field, values, negated):
                let left = left(field, comparedWith: values)
                arguments += values
                let placeholders = Array(repeating: "?", count: values.count).joined(separator: ", ")
                return "(\(left) \(negated ? "NOT IN" : "IN") (\(placeholders)))"
            case let .and(operands):
                return "(" + operands.map(render).joined(separator: " AND ") + ")"
            case let .or(operands):
                return "(" + operands.map(render).joined(separator: " OR ") + ")"
            case let .not(operand):
                return "(NOT \(render(operand)))"
            }
        }
        self.sql = render(expression)
        self.arguments = arguments
    }

    /// Over the `mask_settings` view, whose columns are named as the fields are.
    static func masks(_ expression: FilterExpression) -> SQLiteFilter {
        // A study's name is not looked up by its index: a study's selection is nearly all of
        // the database, which read in id order (the order asked for, so no sort) takes a fifth
        // of the time the index's order does (0.05 against 0.25 s at 50,000 masks). The CAST
        // keeps the column's text affinity, so comparisons are those of `study` itself.
        SQLiteFilter(expression, column: { $0 == .study ? "CAST(study AS TEXT)" : $0.name }, parameters: "params", annotations: "annotations")
    }

    /// Over `models JOIN studies`.
    static func models(_ expression: FilterExpression) -> SQLiteFilter {
        SQLiteFilter(expression, column: { field in
            switch field {
            case .study: "studies.name"
            case .model: "models.name"
            default: "models.\(field.name)"
            }
        }, parameters: "models.params")
    }

    /// The arguments as SQLite values.
    var statementArguments: StatementArguments {
        StatementArguments(arguments.map { value -> (any DatabaseValueConvertible)? in
            switch value {
            case .number(let n): n
            case .text(let t): t
            }
        })
    }
}
