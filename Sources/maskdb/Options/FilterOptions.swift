import ArgumentParser
import CLISupport
import Store
import Study
import StudyCore

/// `--where EXPR` and `--study NAME`: which records a command considers.
struct FilterOptions: ParsableArguments {
    /// The filter expression.
    @Option(
        name: .customLong("where"),
        help: ArgumentHelp(
            "Only records matching EXPR, e.g. \"fold = 0 and lambda1 in (0.1, 0.01)\".",
            discussion: "Fields compare with = != < <= > >= and in (...), combined with and, or, not and parentheses; params.NAME reads a parameter.",
            valueName: "expr"))
    var expression: String?

    /// The study.
    @Option(help: "Only this study's records (needed when the database has several, for analyses).")
    var study: String?

    /// The filter over the recorded masks' fields, within `--study`; every parameter it names
    /// must be one some mask has. With `oneStudy` (analyses, which must not pool studies), a
    /// database of several studies needs `--study`.
    func maskFilter(in store: any StudyStore, oneStudy: Bool = true) throws -> FilterExpression {
        try scoped(try filter(fields: StudyField.maskFields, records: .masks, in: store), in: store, oneStudy: oneStudy)
    }

    /// The filter over the recorded masks' fields alone, for a command that scopes it to
    /// its study itself (the report); every parameter it names must be one some mask has.
    func maskCondition(in store: any StudyStore) throws -> FilterExpression {
        try filter(fields: StudyField.maskFields, records: .masks, in: store)
    }

    /// The filter over the recorded models' fields, within `--study`; every parameter it names
    /// must be one some model has.
    func modelFilter(in store: any StudyStore) throws -> FilterExpression {
        try scoped(try filter(fields: StudyField.modelFields, records: .models, metrics: true, in: store), in: store, oneStudy: false)
    }

    private func scoped(_ filter: FilterExpression, in store: any StudyStore, oneStudy: Bool) throws -> FilterExpression {
        guard oneStudy || study != nil else { return filter }
        return try StudyScope.filter(filter, in: store, named: study)
    }

    /// The filter over `fields` and parameters (all records when no `--where` was given).
    private func filter(fields: [StudyField], records: RecordKind, metrics: Bool = false, in store: any StudyStore) throws -> FilterExpression {
        guard let expression else { return .all }
        let filter: FilterExpression
        do {
            filter = try FilterExpression.parse(expression, fields: fields, parameters: true, metrics: metrics)
        } catch {
            throw ValidationError("--where: \(error)")
        }
        // A misspelt parameter would match nothing, silently.
        let recorded = try store.parameterNames(of: records)
        for case .parameter(let name) in filter.fields where !recorded.contains(name) {
            let suggestion = NameSuggestion.closest(to: name, among: recorded).map { "did you mean \(StudyField.parameter($0))? " } ?? ""
            let known = recorded.isEmpty ? "they have none" : "they have " + recorded.sorted().map { StudyField.parameter($0).name }.joined(separator: ", ")
            throw ValidationError("--where: no recorded \(records.singular) has the parameter \(StudyField.parameter(name)); \(suggestion)\(known)")
        }
        return filter
    }

    /// Says on stderr that the selection is empty, and why it may be: a table of nothing
    /// must not pass for a result.
    func noteIfEmpty(_ count: Int, records: Listed) {
        guard count == 0 else { return }
        Output.error(expression.map { "maskdb: no recorded \(records.singular) matches --where \"\($0)\"; the table is empty" }
            ?? "maskdb: the database has no \(records.rawValue) yet; the table is empty")
    }

    /// What a table lists.
    enum Listed: String {
        case masks, models, evaluations

        var singular: String { String(rawValue.dropLast()) }
    }
}
