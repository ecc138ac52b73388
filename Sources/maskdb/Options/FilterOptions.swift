import Store
import ArgumentParser
import StudyCore

/// `--where EXPR`: which records a command considers.
struct FilterOptions: ParsableArguments {
    /// The filter expression.
    @Option(
        name: .customLong("where"),
        help: ArgumentHelp(
            "Only records matching EXPR, e.g. \"fold = 0 and lambda1 in (0.1, 0.01)\".",
            discussion: "Fields compare with = != < <= > >= and in (...), combined with and, or, not and parentheses; params.NAME reads a parameter.",
            valueName: "expr"))
    var expression: String?

    /// The filter over the recorded masks' fields.
    func maskFilter() throws -> FilterExpression {
        try filter(fields: StudyField.maskFields)
    }

    /// The filter over the recorded models' fields.
    func modelFilter() throws -> FilterExpression {
        try filter(fields: StudyField.modelFields)
    }

    /// The filter over `fields` and parameters (all records when no `--where` was given).
    private func filter(fields: [StudyField]) throws -> FilterExpression {
        guard let expression else { return .all }
        do {
            return try FilterExpression.parse(expression, fields: fields, parameters: true)
        } catch {
            throw ValidationError("--where: \(error)")
        }
    }
}
