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
            discussion: "Fields compare with = != < <= > >= and in (...), combined with and, or, not and parentheses; params.NAME reads a setting of your own, annotation.NAME a mask's annotation.",
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
            filter = try FilterExpression.parse(expression, fields: fields, parameters: true, metrics: metrics, annotations: records == .masks)
        } catch {
            throw ValidationError("--where: \(error)")
        }
        // A misspelt parameter or annotation would match nothing, silently.
        let parameters = try store.parameterNames(of: records)
        for case .parameter(let name) in filter.fields where !parameters.contains(name) {
            throw unrecorded(.parameter(name), "parameter", records: records, recorded: parameters.map(StudyField.parameter))
        }
        let annotations = records == .masks ? try store.annotationNames() : []
        for case .annotation(let name) in filter.fields where !annotations.contains(name) {
            throw unrecorded(.annotation(name), "annotation", records: records, recorded: annotations.map(StudyField.annotation))
        }
        return filter
    }

    /// The error for a parameter or annotation `field` that no record has.
    private func unrecorded(_ field: StudyField, _ what: String, records: RecordKind, recorded: [StudyField]) -> ValidationError {
        let names = recorded.map(\.name).sorted()
        let suggestion = NameSuggestion.closest(to: field.name, among: names).map { "did you mean \($0)? " } ?? ""
        let known = names.isEmpty ? "they have none" : "they have " + names.joined(separator: ", ")
        return ValidationError("--where: no recorded \(records.singular) has the \(what) \(field); \(suggestion)\(known)")
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
