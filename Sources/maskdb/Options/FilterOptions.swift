import ArgumentParser
import MaskStore

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

    /// The compiled filter over the recorded masks' fields.
    func maskFilter() throws -> Filter {
        try filter(fields: MaskRecord.filterFields, paramsColumn: MaskRecord.paramsColumn)
    }

    /// The compiled filter over the recorded models' fields.
    func modelFilter() throws -> Filter {
        try filter(fields: ModelRecord.filterFields, paramsColumn: ModelRecord.paramsColumn)
    }

    /// The compiled filter over `fields` (all records when no `--where` was given).
    private func filter(fields: [FilterField], paramsColumn: String?) throws -> Filter {
        guard let expression else { return .all }
        do {
            return try Filter.compile(expression, fields: fields, paramsColumn: paramsColumn)
        } catch {
            throw ValidationError("--where: \(error)")
        }
    }
}
