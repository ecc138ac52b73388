import Foundation
import Store

extension ManifestCheck {
    /// The manifest a path pattern makes: one row per file it matches under `root`, sorted by
    /// path, holding the file's path (as a manifest in `root` would write it), what the
    /// pattern's captures took and the `constants` (`--set FIELD=VALUE`). Its header is
    /// checked as a manifest's is. Row N is the file's line in the manifest's TSV text
    /// (`generated`, the header being line 1), whose sha256 the audit log records, with
    /// `ROOT//PATTERN` as the manifest's path (see `SourcePath`).
    public static func pattern(
        _ kind: ImportKind, _ text: String, root: String, constants: [(field: String, value: String)]
    ) throws -> CheckedManifest {
        func refuse(_ detail: String) -> ImportError { .badPattern(pattern: text, detail: detail) }
        let fileColumn: String
        switch kind {
        case .masks: fileColumn = Manifest.pathColumn
        case .models: fileColumn = weightsColumn
        case .evaluations, .initialize: throw refuse("a pattern finds mask or model files; \(kind.rawValue) come from a manifest")
        }
        let pattern = try PathPattern(text)
        let fields = pattern.fields
        for field in fields where field == fileColumn {
            throw refuse("{\(field)} would capture the column that names the file itself; the file's path fills it")
        }
        for (index, constant) in constants.enumerated() {
            if constant.field == fileColumn { throw refuse("--set \(fileColumn): the file's path fills that column") }
            if fields.contains(constant.field) {
                throw refuse("\(constant.field) is both captured by the pattern and given by --set; keep one")
            }
            if constants[..<index].contains(where: { $0.field == constant.field }) { throw refuse("--set \(constant.field) is given twice; keep one") }
        }
        let columns = [fileColumn] + fields + constants.map(\.field)
        var folder = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        folder = (folder as NSString).standardizingPath
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw refuse("--root \(root) is not a folder")
        }
        // The header first: a misspelt field is told before any folder is walked.
        func manifest(_ content: ManifestContent) throws -> Manifest {
            try Manifest(path: text, absolutePath: folder + "//" + pattern.text, folder: folder, content: content, required: required(kind))
        }
        _ = try checked(try manifest(ManifestContent(columns: columns, rows: [], malformed: [], sha256: "")), as: kind)
        let files = pattern.files(under: folder)
        guard !files.isEmpty else { throw refuse("matches no file under \(folder)") }
        let table = PatternTable(columns: columns, files: files, constants: constants)
        let content = ManifestContent(
            columns: columns, rows: table.rows, malformed: table.malformed, sha256: SHA256Digest.hex(Array(table.text.utf8)))
        return try checked(try manifest(content), as: kind, generated: table.text)
    }
}

/// The rows of the files a pattern matched, and the TSV text of the same manifest.
private struct PatternTable {
    var rows: [Manifest.Row] = []
    var malformed: [(line: Int, path: String, message: String)] = []
    var text: String

    init(columns: [String], files: [PatternMatch], constants: [(field: String, value: String)]) {
        var lines = [columns.joined(separator: "\t")]
        for (index, file) in files.enumerated() {
            let line = index + 2
            var cells = [columns[0]: file.path]
            var problem: String?
            for (field, captured) in file.captures {
                if let earlier = cells[field], earlier != captured {
                    problem = problem ?? "\(field) is captured as '\(Manifest.shown(earlier))' and as '\(Manifest.shown(captured))'"
                }
                cells[field] = cells[field] ?? captured
            }
            for constant in constants { cells[constant.field] = constant.value }
            let row = columns.map { cells[$0] ?? "" }
            if problem == nil, let column = columns.first(where: { !Self.fitsTSV(cells[$0] ?? "", first: $0 == columns[0]) }) {
                problem = "its \(column == columns[0] ? "path" : column) cannot be written in a TSV manifest (a tab, a line break, a space at an end, or a leading '#')"
            }
            if let problem {
                malformed.append((line, file.path, problem))
                // Keeps the line numbers of the rows after it; the rejection goes to stderr.
                lines.append("# row \(line) rejected: " + String(problem.map { Self.breaksLine($0) ? " " : $0 }))
            } else {
                // An empty cell is absent, as a manifest reader leaves it.
                rows.append(Manifest.Row(line: line, cells: cells.filter { !$0.value.isEmpty }))
                lines.append(row.joined(separator: "\t"))
            }
        }
        text = lines.joined(separator: "\n") + "\n"
    }

    /// Whether a manifest reader would read `cell` back as it is (a line's first cell
    /// starting with '#' makes it a comment).
    private static func fitsTSV(_ cell: String, first: Bool) -> Bool {
        !cell.contains(where: breaksLine) && !(first && cell.hasPrefix("#")) && cell.trimmingCharacters(in: .whitespaces) == cell
    }

    private static func breaksLine(_ character: Character) -> Bool {
        character == "\t" || character == "\n" || character == "\r" || character == "\r\n"
    }
}
