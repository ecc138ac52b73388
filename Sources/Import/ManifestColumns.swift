import StudyCore

/// What each column of a manifest holds beyond the fields maskdb knows: a lab's own
/// setting (`setting.NAME`, or `params.NAME` and the older `param.NAME`), or an annotation
/// (`annotation.NAME`, or any other column). A column within a slip of a known one
/// (`semantic`, `lamda1`) is refused, since reading it as an annotation would drop the
/// value it was meant to give; naming it `annotation.NAME` says it is meant.
struct ManifestColumns: Sendable {
    /// The parameter (setting) each column holds, by column.
    var settings: [String: String] = [:]
    /// The annotation each column holds, by column.
    var annotations: [String: String] = [:]

    /// The prefixes of a lab's setting columns; the first is the one to suggest.
    static let settingPrefixes = [StudyField.settingPrefix, StudyField.parameterPrefix, "param."]

    /// Reads `columns` of the manifest at `path`, whose known columns are `known`.
    /// With `annotations` false (a manifest of records without annotations), a column that
    /// is neither known nor a setting is refused.
    init(_ columns: [String], known: [String], path: String, annotations allowed: Bool = true) throws {
        for column in columns where !known.contains(column) {
            if (Self.settingPrefixes + [StudyField.annotationPrefix]).contains(column) {
                throw ImportError.badManifest(path: path, detail: "column '\(column)' names nothing after its prefix; write \(column)NAME")
            }
            if let name = Self.name(of: column, after: Self.settingPrefixes) {
                guard StudyField.isParameterName(Substring(name)) else {
                    throw ImportError.badManifest(
                        path: path,
                        detail: "column '\(Manifest.shown(column))': a setting's name is made of letters, digits, '_', '.' and '-', not starting with '.' or '-'")
                }
                if let other = settings.first(where: { $0.value == name })?.key {
                    throw ImportError.badManifest(path: path, detail: "columns '\(Manifest.shown(other))' and '\(Manifest.shown(column))' both name the setting \(name); keep one")
                }
                settings[column] = name
                continue
            }
            // One edit, or a case: columns are often new words (`batch` is not `path`).
            let suggestion = NameSuggestion.closest(to: column, among: known, maxEdits: 1)
                ?? NameSuggestion.closest(to: column.lowercased(), among: known, maxEdits: 1)
            guard allowed else {
                throw ImportError.badManifest(
                    path: path,
                    detail: "unknown column '\(Manifest.shown(column))'; " + (suggestion.map { "did you mean '\($0)'? " } ?? "")
                        + "these manifests take \(known.joined(separator: ", ")) and \(StudyField.settingPrefix)NAME")
            }
            if let name = Self.name(of: column, after: [StudyField.annotationPrefix]) {
                annotations[column] = name
            } else if let suggestion {
                throw ImportError.badManifest(
                    path: path,
                    detail: "unknown column '\(Manifest.shown(column))'; did you mean '\(suggestion)'? "
                        + "(to keep it as an annotation, name the column '\(StudyField.annotationPrefix)\(column)')")
            } else {
                annotations[column] = column
            }
        }
        if let name = Set(annotations.values).first(where: { name in annotations.values.count { $0 == name } > 1 }) {
            throw ImportError.badManifest(
                path: path, detail: "two columns name the annotation \(name) ('\(name)' and '\(StudyField.annotationPrefix)\(name)'); keep one")
        }
    }

    /// The text after the first of `prefixes` `column` starts with, if any (and not empty).
    private static func name(of column: String, after prefixes: [String]) -> String? {
        prefixes.first { column.hasPrefix($0) && column.count > $0.count }.map { String(column.dropFirst($0.count)) }
    }

    /// A row's settings.
    func settings(of row: Manifest.Row) -> Parameters {
        Parameters(Dictionary(uniqueKeysWithValues: settings.compactMap { column, name in row[column].map { (name, .init(cell: $0)) } }))
    }

    /// A row's annotations.
    func annotations(of row: Manifest.Row) -> Parameters {
        Parameters(Dictionary(uniqueKeysWithValues: annotations.compactMap { column, name in row[column].map { (name, .init(cell: $0)) } }))
    }
}
