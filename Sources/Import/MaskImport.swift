import Atlas
import Formatting
import Foundation
import NIfTI
import Store
import StudyCore

/// A mask row that passed every check, ready to be written: its line and path as
/// written, for the summary, and the mask.
struct PreparedMask: Sendable {
    var line: Int
    var path: String
    var mask: NewMask
}

/// An atlas masks are measured over: its row id, and its calculator (being decoded).
struct ImportAtlas: Sendable {
    var id: Int64
    var calculator: BackgroundValue<DensityCalculator>
}

extension StudyStore {
    /// Imports the masks a manifest lists: every row is checked (file readable and
    /// valid, values in range, densities computed) before anything is written; then all
    /// valid rows go in one transaction. Rows already recorded are left as they are.
    public func importMasks(manifestPath: String, options: ImportOptions) throws -> ImportSummary {
        let (manifest, columns) = try ManifestCheck.masks(manifestPath)
        try initialize(study: nil, command: options.command)
        let study = try defaultStudy(options.study, for: manifest)
        // Each atlas the manifest names, loaded once (an unknown one rejects its rows), and
        // decoded while the workers read and hash the first files.
        var calculators: [String: Result<ImportAtlas, any Error>] = [:]
        for name in Set(manifest.rows.map { $0[.atlas] ?? Atlas.defaultName }) {
            calculators[name] = Result {
                let stored = try atlasFiles(named: name)
                let database = location
                return ImportAtlas(id: stored.id, calculator: BackgroundValue {
                    do {
                        return DensityCalculator(atlas: try Atlas(name: name, imageBytes: stored.image, labelsBytes: stored.labels))
                    } catch {
                        // Not the row's file: say whose it is.
                        throw StoreError.database(path: database, message: "its atlas '\(name)' does not load (\(error)); run maskdb verify")
                    }
                })
            }
        }
        let atlases = calculators
        let measured = try measuredFiles()
        // Storing a checked mask never rejects it, so it needs no savepoint.
        var summary = try runImport(
            manifest, kind: .masks, options: options, key: { $0[Manifest.pathColumn] ?? "" }, storeMayReject: false,
            file: { row in row[Manifest.pathColumn].map(manifest.resolve) }
        ) { row in
            let atlas = try atlases[row[.atlas] ?? Atlas.defaultName]!.get()
            return try Self.prepareMask(row, manifest: manifest, columns: columns, study: study, atlas: atlas, measured: measured)
        } store: { prepared, importID, transaction in
            let result = { (outcome: ImportSummary.Outcome, message: String?) in
                ImportSummary.RowResult(
                    line: prepared.line, path: prepared.path, sha256: prepared.mask.sha256, outcome: outcome, message: message)
            }
            switch try transaction.addMask(prepared.mask, importID: importID) {
            case .added: return result(.added, nil)
            case .unchanged: return result(.unchanged, nil)
            case .annotationsDiffer(let recorded):
                return result(.rejected, Self.annotationConflict(recorded: recorded, row: prepared.mask.annotations))
            }
        }
        summary.studies = Self.studies(of: manifest, default: study)
        return summary
    }

    /// Checks one row and computes its densities, touching only the row's file (which is
    /// hashed first, and decoded only when the database has not measured it already).
    private static func prepareMask(
        _ row: Manifest.Row, manifest: Manifest, columns: ManifestColumns, study: String, atlas: ImportAtlas,
        measured: Set<MeasuredFile>
    ) throws -> PreparedMask {
        guard let path = row[Manifest.pathColumn] else { throw RowRejection("\(Manifest.pathColumn) is empty") }
        let fold = try row.integer(.fold)
        let run = try row.integer(.run)
        let lambda1 = try row.number(.lambda1, minimum: 0)
        let lambda2 = try row.number(.lambda2, minimum: 0)
        let beta1 = try row.optionalNumber(.beta1)
        let beta2 = try row.optionalNumber(.beta2)
        let semanticsText = row[.semantics] ?? MaskSemantics.keep.rawValue
        guard let semantics = MaskSemantics(rawValue: semanticsText) else {
            throw RowRejection("\(StudyField.semantics) '\(semanticsText)' is neither keep nor perturb")
        }
        let params = columns.settings(of: row)

        let resolved = manifest.resolve(path)
        let bytes = try FileBytes.read(resolved)
        let sha256 = SHA256Digest.hex(bytes)
        let measurement: NewMask.Measurement
        if measured.contains(MeasuredFile(sha256: sha256, atlasID: atlas.id, semantics: semantics)) {
            measurement = .recorded
        } else {
            let image = try NIfTIImage(fileBytes: bytes, path: resolved)
            measurement = .new(
                bytes: bytes, dims: Array((image.shape + [1, 1]).prefix(3)), affine: image.affine,
                densities: try atlas.calculator.get().densities(of: image, semantics: semantics))
        }
        let model = ModelKey(study: row[.study] ?? study, fold: fold, run: run, name: row[.model] ?? "")
        return PreparedMask(
            line: row.line, path: path,
            mask: NewMask(
                model: model, lambda1: lambda1, lambda2: lambda2, beta1: beta1, beta2: beta2, subjects: row[.subjects] ?? "",
                semantics: semantics, params: params, annotations: columns.annotations(of: row), atlasID: atlas.id,
                sha256: sha256, sourcePath: resolved,
                measurement: measurement))
    }

    /// Why a row whose file and settings are recorded with other annotations changed nothing.
    static func annotationConflict(recorded: Parameters, row: Parameters) -> String {
        let names = Set(recorded.values.keys).union(row.values.keys).filter { recorded.values[$0] != row.values[$0] }.sorted()
        let differences = names.map { name in
            "\(StudyField.annotation(name)) \(recorded.values[name].map { "'\($0.text)'" } ?? "(none)") → \(row.values[name].map { "'\($0.text)'" } ?? "(none)")"
        }
        return "recorded already with other annotations (\(differences.joined(separator: ", "))); nothing changed"
    }
}

extension ManifestCheck {
    /// The columns of a mask manifest, besides `path`: the fields a mask has (but its id and
    /// sha256) and which of them a row must give. Any other column is a setting of the
    /// lab's own or an annotation (`ManifestColumns`).
    static var maskColumns: (required: [StudyField], optional: [StudyField]) {
        let required: [StudyField] = [.fold, .run, .lambda1, .lambda2]
        return (required, StudyField.maskFields.filter { $0.role != .record && !required.contains($0) })
    }

    /// The mask manifest at `path` and what its columns hold; throws when its header is unusable.
    static func masks(_ path: String) throws -> (Manifest, ManifestColumns) {
        let manifest = try Manifest(path: path, required: [Manifest.pathColumn] + maskColumns.required.map(\.name))
        let columns = try ManifestColumns(
            manifest.columns, known: [Manifest.pathColumn] + (maskColumns.required + maskColumns.optional).map(\.name),
            path: manifest.path)
        return (manifest, columns)
    }
}
