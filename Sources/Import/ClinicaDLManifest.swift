import Foundation
import Store
import StudyCore

/// The two manifests a ClinicaDL MAPS makes, imported as any manifest is (the same checks,
/// transaction and audit log): its models first, then its maps.
public struct ClinicaDLManifests: Sendable {
    /// The MAPS as read.
    public let maps: ClinicaDLMAPS
    /// One row per model (split x selection metric): `fold, run, model, architecture,
    /// weights`, `params.NAME` (maps.json's hyperparameters) and `metric.GROUP.NAME`.
    public let models: CheckedManifest
    /// One row per NIfTI map: `path, fold, run, model, semantics (attribution), method,
    /// subjects, subject, grid`; nil when the MAPS holds none.
    public let masks: CheckedManifest?
    /// The reference image the maps are measured on, when they are.
    public let grid: String?
}

extension ManifestCheck {
    /// The manifests of the MAPS `maps`, its models under run `run`. Its maps are measured on
    /// the grid of the image `gridFrom`, or of the first image (by path) under `caps` that
    /// maps.json's `preprocessing_dict.file_type.pattern` names: ClinicaDL saves each map with
    /// an identity affine and a channel axis, so the map's own header cannot place it. Maps and
    /// neither option is `ImportError.badMAPS`. The audit log records the MAPS folder as each
    /// manifest's path and the sha256 of its TSV text (`generated`, which `--dry-run` prints).
    public static func clinicaDL(_ maps: ClinicaDLMAPS, run: Int, caps: String?, gridFrom: String?) throws -> ClinicaDLManifests {
        func refuse(_ detail: String) -> ImportError { .badMAPS(path: maps.given, detail: detail) }
        let study = [StudyField.fold, .run, .model].map(\.name)
        // Models.
        var parameterColumns: [String] = []
        for name in maps.parameters.map(\.name) + maps.models.flatMap { $0.parameters.map(\.name) } {
            let column = StudyField.parameterPrefix + name
            if !parameterColumns.contains(column) { parameterColumns.append(column) }
        }
        var metricColumns: [String] = []
        for model in maps.models {
            for metric in model.metrics {
                let column = "metric.\(metric.group).\(metric.name)"
                if !metricColumns.contains(column) { metricColumns.append(column) }
            }
        }
        let modelColumns = study + [StudyField.architecture.name, weightsColumn] + parameterColumns + metricColumns.sorted()
        var modelRows: [(key: String, cells: [String: String])] = []
        for model in maps.models {
            var cells = [StudyField.fold.name: String(model.split), StudyField.run.name: String(run), StudyField.model.name: model.name]
            cells[StudyField.architecture.name] = maps.architecture
            cells[weightsColumn] = model.weights
            for (name, value) in maps.parameters + model.parameters { cells[StudyField.parameterPrefix + name] = value }
            for metric in model.metrics { cells["metric.\(metric.group).\(metric.name)"] = metric.value }
            modelRows.append(("split \(model.split) \(model.name)", cells))
        }
        let modelTable = GeneratedTable(columns: modelColumns, rows: modelRows, problems: maps.problems)
        let models = try checked(try modelTable.manifest(maps: maps, required: required(.models)), as: .models, generated: modelTable.text)

        guard !maps.maps.isEmpty else {
            return ClinicaDLManifests(maps: maps, models: models, masks: nil, grid: nil)
        }
        // Maps, on the grid of the CAPS images.
        let grid: String
        if let gridFrom {
            grid = Self.absolute(gridFrom)
        } else if let caps {
            grid = try Self.capsImage(caps: caps, pattern: maps.imagePattern, refuse: refuse)
        } else {
            throw refuse("its \(maps.maps.count) maps are saved with an identity affine, not in the space of the images they explain: give --caps DIR (a CAPS of its preprocessing) or --grid-from FILE (an image of the same preprocessing) to place them")
        }
        let maskColumns = [Manifest.pathColumn] + study
            + [StudyField.semantics, .method, .subjects, .subject].map(\.name) + [Manifest.gridColumn]
        let maskRows = maps.maps.map { map in
            (key: map.path, cells: [
                Manifest.pathColumn: map.path, StudyField.fold.name: String(map.split), StudyField.run.name: String(run),
                StudyField.model.name: "best-" + map.selection, StudyField.semantics.name: MaskSemantics.attribution.rawValue,
                StudyField.method.name: map.interpretation, StudyField.subjects.name: map.group, StudyField.subject.name: map.subject,
                Manifest.gridColumn: grid,
            ])
        }
        let maskTable = GeneratedTable(columns: maskColumns, rows: maskRows, problems: maps.mapProblems)
        let masks = try checked(try maskTable.manifest(maps: maps, required: required(.masks)), as: .masks, generated: maskTable.text)
        return ClinicaDLManifests(maps: maps, models: models, masks: masks, grid: grid)
    }

    private static func absolute(_ path: String) -> String {
        ((path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path) as NSString).standardizingPath
    }

    /// The first image, by path, under `caps`/subjects that `pattern` (a ClinicaDL file-type
    /// pattern, a glob) names.
    static func capsImage(caps: String, pattern: String?, refuse: (String) -> ImportError) throws -> String {
        let folder = absolute(caps)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder + "/subjects", isDirectory: &isFolder), isFolder.boolValue else {
            throw refuse("--caps \(caps) has no subjects folder; is it a CAPS? (or give --grid-from FILE)")
        }
        guard let pattern, !pattern.isEmpty else {
            throw refuse("maps.json names no preprocessing_dict.file_type.pattern to find its images under --caps \(caps); give --grid-from FILE")
        }
        // The glob, its braces and backslashes literal, under any subject and session.
        let escaped = pattern.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "{", with: "\\{")
            .replacingOccurrences(of: "}", with: "\\}")
        let glob = try PathPattern("subjects/**/" + escaped.drop { $0 == "/" })
        guard let first = glob.files(under: folder).first else {
            throw refuse("no image under --caps \(caps) matches maps.json's preprocessing_dict.file_type.pattern '\(pattern)'; give --grid-from FILE")
        }
        return folder + "/" + first.path
    }
}

/// The rows of a generated manifest and its TSV text: row N is line N (the header is line
/// 1); a problem keeps its line as a `# row N rejected: ...` comment and is a rejected row.
struct GeneratedTable {
    var rows: [Manifest.Row]
    var malformed: [(line: Int, path: String, message: String)]
    var text: String
    let columns: [String]

    init(columns: [String], rows records: [(key: String, cells: [String: String])], problems: [(path: String, message: String)]) {
        self.columns = columns
        var lines = [columns.joined(separator: "\t")]
        var rows: [Manifest.Row] = []
        var malformed: [(line: Int, path: String, message: String)] = []
        func reject(_ path: String, _ message: String) {
            let line = lines.count + 1
            malformed.append((line, path, message))
            lines.append("# row \(line) rejected: \(path): " + String(message.map { $0 == "\t" || $0 == "\n" || $0 == "\r" ? " " : $0 }))
        }
        for record in records {
            if let column = columns.first(where: { record.cells[$0].map { !Self.fitsTSV($0) } ?? false }) {
                reject(record.key, "its \(column) cannot be written in a TSV manifest (a tab, a line break, a space at an end, or a leading '#')")
                continue
            }
            rows.append(Manifest.Row(line: lines.count + 1, cells: record.cells.filter { !$0.value.isEmpty }))
            lines.append(columns.map { record.cells[$0] ?? "" }.joined(separator: "\t"))
        }
        for problem in problems { reject(problem.path, problem.message) }
        self.rows = rows
        self.malformed = malformed
        text = lines.joined(separator: "\n") + "\n"
    }

    /// The manifest, named by the MAPS folder (its audit-log path), its paths relative to it.
    func manifest(maps: ClinicaDLMAPS, required: [String]) throws -> Manifest {
        let content = ManifestContent(columns: columns, rows: rows, malformed: malformed, sha256: SHA256Digest.hex(Array(text.utf8)))
        return try Manifest(path: maps.root, absolutePath: maps.root, folder: maps.root, content: content, required: required)
    }

    private static func fitsTSV(_ cell: String) -> Bool {
        !cell.contains { $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" } && !cell.hasPrefix("#")
            && cell.trimmingCharacters(in: .whitespaces) == cell
    }
}
