import Atlas
import Formatting
import Foundation
import NIfTI
import Store
import StudyCore
import Synchronization

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
        try importMasks(try ManifestCheck.header(.masks, path: manifestPath), options: options)
    }

    /// The same, of a manifest already read and checked.
    public func importMasks(_ checked: CheckedManifest, options: ImportOptions) throws -> ImportSummary {
        precondition(checked.kind == .masks, "a \(checked.kind) manifest given to importMasks")
        let (manifest, columns) = (checked.manifest, checked.columns!)
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
                    let atlas: Atlas
                    do {
                        atlas = try Atlas(name: name, imageBytes: stored.image, labelsBytes: stored.labels)
                    } catch {
                        // Not the row's file: say whose it is.
                        throw StoreError.database(path: database, message: "its atlas '\(name)' does not load (\(error)); run maskdb verify")
                    }
                    // Decodable but altered: the densities would be wrong.
                    _ = try stored.checked(name: name)
                    return DensityCalculator(atlas: atlas)
                })
            }
        }
        let atlases = calculators
        let measured = try measuredFiles()
        // The masks this import has amended: a second row of the same file and model must
        // not amend the first one's correction again.
        var amended: Set<Int64> = []
        // A file listed on several rows (same atlas and semantics) is read and measured once.
        let shared = SharedFiles(rows: manifest.rows) { row in
            row[Manifest.pathColumn].map {
                [manifest.resolve($0), row[.atlas] ?? Atlas.defaultName, Self.semanticsCell(row), row[Manifest.gridColumn].map(manifest.resolve) ?? ""]
                    .joined(separator: "\0")
            }
        }
        let grids = GridFiles()
        // Storing a checked mask never rejects it (a rejection of --replace writes nothing first), so it needs no savepoint.
        var summary = try runImport(
            manifest, kind: .masks, options: options, key: { $0[Manifest.pathColumn] ?? "" }, storeMayReject: false,
            file: { row in row[Manifest.pathColumn].map(manifest.resolve) }, done: { shared.finish(row: $0) }
        ) { row in
            let atlas = try atlases[row[.atlas] ?? Atlas.defaultName]!.get()
            return try Self.prepareMask(
                row, manifest: manifest, columns: columns, study: study, atlas: atlas, measured: measured, shared: shared, grids: grids)
        } store: { prepared, importID, transaction in
            let result = { (outcome: ImportSummary.Outcome, message: String?) in
                ImportSummary.RowResult(
                    line: prepared.line, path: prepared.path, sha256: prepared.mask.sha256, outcome: outcome, message: message)
            }
            if options.replace, let replaced = try Self.replace(prepared, importID: importID, in: transaction, amended: &amended) {
                return result(replaced.0, replaced.1)
            }
            switch try transaction.addMask(prepared.mask, importID: importID) {
            case .added: return result(.added, nil)
            case .unchanged: return result(.unchanged, nil)
            case .annotationsDiffer(let recorded):
                return result(.rejected, Self.annotationConflict(recorded: recorded, row: prepared.mask.annotations))
            }
        }
        summary.studies = Self.studies(of: manifest, default: study)
        summary.filesRead = shared.filesRead
        return summary
    }

    /// With `--replace`, a row whose file is recorded for the same model and atlas under
    /// other settings amends that record in place (same id; the old settings go into the
    /// history). Nil when there is nothing to amend: the row is then added as usual (no
    /// record of the file for this model and atlas) or is already recorded (one has exactly
    /// its settings). Several other records of the file for this model and atlas are
    /// ambiguous: the row is rejected, naming them.
    private static func replace(
        _ prepared: PreparedMask, importID: Int64, in transaction: any StoreTransaction, amended: inout Set<Int64>
    ) throws -> (ImportSummary.Outcome, String)? {
        let mask = prepared.mask
        let recorded = try transaction.masks(sha256: mask.sha256, model: mask.model, atlasID: mask.atlasID)
        guard !recorded.isEmpty else { return nil }
        let new = { (record: MaskRecord) in
            var new = record
            (new.lambda1, new.lambda2, new.beta1, new.beta2) = (mask.lambda1, mask.lambda2, mask.beta1, mask.beta2)
            (new.subjects, new.semantics, new.params, new.source) = (mask.subjects, mask.semantics, mask.params, mask.sourcePath)
            (new.method, new.subject) = (mask.method, mask.subject)
            new.annotations = mask.annotations
            return new
        }
        // The source path alone is no new setting: a moved file is the same record.
        func sameSettings(_ record: MaskRecord) -> Bool {
            var same = new(record)
            same.source = record.source
            return record == same
        }
        if recorded.contains(where: sameSettings) { return nil }
        let ids = recorded.map { String($0.id) }.joined(separator: ", ")
        guard recorded.count == 1 else {
            return (.rejected, "--replace: this file is recorded \(recorded.count) times for this model and atlas (masks \(ids)), none with these settings; remove the wrong ones with 'maskdb rm', then import again")
        }
        let record = recorded[0]
        guard !amended.contains(record.id) else {
            return (.rejected, "--replace: an earlier row of this manifest already replaced mask \(record.id) with other settings; keep one row per file and model")
        }
        try transaction.amendMask(record.id, to: mask, importID: importID)
        amended.insert(record.id)
        return (.replaced, "mask \(record.id): " + record.changes(to: new(record)).joined(separator: ", "))
    }

    /// Checks one row and computes its densities, touching only the row's file (which is
    /// hashed first, and decoded only when the database has not measured it already).
    private static func prepareMask(
        _ row: Manifest.Row, manifest: Manifest, columns: ManifestColumns, study: String, atlas: ImportAtlas,
        measured: Set<MeasuredFile>, shared: SharedFiles, grids: GridFiles
    ) throws -> PreparedMask {
        guard let path = row[Manifest.pathColumn] else { throw RowRejection("\(Manifest.pathColumn) is empty") }
        let fold = try row.integer(.fold)
        let run = try row.integer(.run)
        let semantics = try Self.semantics(of: row)
        let lambda1 = try row.optionalNumber(.lambda1, minimum: 0)
        let lambda2 = try row.optionalNumber(.lambda2, minimum: 0)
        // λ1 and λ2 are what a mask was optimized under; an attribution map has none.
        if semantics.kind == .mask, let missing = [(StudyField.lambda1, lambda1), (.lambda2, lambda2)].first(where: { $0.1 == nil }) {
            throw RowRejection("\(missing.0) is empty; a mask needs lambda1 and lambda2 (only an attribution map, semantics attribution, may leave them empty)")
        }
        let beta1 = try row.optionalNumber(.beta1)
        let beta2 = try row.optionalNumber(.beta2)
        let params = columns.settings(of: row)

        let resolved = manifest.resolve(path)
        // A header that lies about the file's space: measured on a reference image's grid.
        let grid = try row[Manifest.gridColumn].map { try grids.grid(manifest.resolve($0)) }
        // `.recorded` unless this row is the first to measure the file: an earlier row of
        // this import writes it, or the database holds it already.
        var measurement = NewMask.Measurement.recorded
        let (sha256, _) = try shared.measure(row: row) {
            // A file too large for a mask within the size limit is refused unread.
            let bytes = try FileBytes.read(resolved, maximumBytes: MaskSizeLimit.fileBytes())
            let sha256 = SHA256Digest.hex(bytes)
            if !measured.contains(MeasuredFile(sha256: sha256, atlasID: atlas.id, semantics: semantics, grid: grid?.key)) {
                var image = try NIfTIImage(fileBytes: bytes, path: resolved)
                if let grid { image = try image.placed(on: grid.grid, gridPath: grid.source) }
                measurement = .new(
                    bytes: bytes, dims: Array((image.shape + [1, 1]).prefix(3)), affine: image.affine,
                    densities: try atlas.calculator.get().densities(of: image, semantics: semantics))
            }
            return sha256
        }
        let model = ModelKey(study: row[.study] ?? study, fold: fold, run: run, name: row[.model] ?? "")
        return PreparedMask(
            line: row.line, path: path,
            mask: NewMask(
                model: model, lambda1: lambda1, lambda2: lambda2, beta1: beta1, beta2: beta2, subjects: row[.subjects] ?? "",
                semantics: semantics, method: row[.method] ?? "", subject: row[.subject] ?? "", params: params, annotations: columns.annotations(of: row), atlasID: atlas.id,
                sha256: sha256, sourcePath: resolved,
                measurement: measurement, grid: grid))
    }

    /// A row's semantics: its `semantics` cell, else what its `kind` cell implies (an
    /// attribution map, or a keep mask), else keep. A kind the semantics contradict is refused.
    static func semantics(of row: Manifest.Row) throws(RowRejection) -> MaskSemantics {
        let text = semanticsCell(row)
        guard let semantics = MaskSemantics(rawValue: text) else {
            throw RowRejection("\(StudyField.semantics) '\(Manifest.shown(text))' is not keep, perturb or attribution")
        }
        if let kind = row[.kind] {
            guard let known = ExplanationKind(rawValue: kind) else {
                throw RowRejection("\(StudyField.kind) '\(Manifest.shown(kind))' is neither mask nor attribution")
            }
            if known != semantics.kind {
                throw RowRejection("\(StudyField.kind) '\(kind)' contradicts \(StudyField.semantics) '\(semantics)'; an attribution map has semantics attribution, a mask keep or perturb")
            }
        }
        return semantics
    }

    /// The semantics a row's cells spell (`semantics`, else `kind` attribution, else keep), unchecked.
    static func semanticsCell(_ row: Manifest.Row) -> String {
        row[.semantics] ?? (row[.kind] == ExplanationKind.attribution.rawValue ? MaskSemantics.attribution : .keep).rawValue
    }

    /// Why a row whose file and settings are recorded with other annotations changed nothing.
    static func annotationConflict(recorded: Parameters, row: Parameters) -> String {
        "recorded already with other annotations (\(annotationDifferences(recorded: recorded, other: row))); nothing changed (--replace amends them)"
    }

    /// `annotation.NAME 'recorded' → 'other'`, for each annotation the two differ in.
    static func annotationDifferences(recorded: Parameters, other: Parameters) -> String {
        Set(recorded.values.keys).union(other.values.keys).filter { recorded.values[$0] != other.values[$0] }.sorted().map { name in
            "\(StudyField.annotation(name)) \(recorded.values[name].map { "'\($0.text)'" } ?? "(none)") → \(other.values[name].map { "'\($0.text)'" } ?? "(none)")"
        }.joined(separator: ", ")
    }
}

extension ManifestCheck {
    /// The columns of a mask manifest, besides `path`: the fields a mask has (but its id and
    /// sha256) and which of them a row must give (λ1 and λ2 too, unless it is an attribution
    /// map: checked per row). Any other column is a setting of the
    /// lab's own or an annotation (`ManifestColumns`).
    static var maskColumns: (required: [StudyField], optional: [StudyField]) {
        let required: [StudyField] = [.fold, .run]
        return (required, StudyField.maskFields.filter { $0.role != .record && !required.contains($0) })
    }

    /// The columns a mask manifest must have.
    static var maskRequired: [String] { [Manifest.pathColumn] + maskColumns.required.map(\.name) }

    /// What the columns of the mask manifest `manifest` hold; throws when its header is unusable.
    static func masks(_ manifest: Manifest) throws -> ManifestColumns {
        // Without a semantics or kind column every row is a mask, which needs both λs: a
        // header without one is refused as a whole, not row by row.
        if !manifest.columns.contains(StudyField.semantics.name), !manifest.columns.contains(StudyField.kind.name) {
            try manifest.require([Manifest.pathColumn] + maskColumns.required.map(\.name) + [StudyField.lambda1.name, StudyField.lambda2.name])
        }
        return try ManifestColumns(
            manifest.columns, known: [Manifest.pathColumn, Manifest.gridColumn] + (maskColumns.required + maskColumns.optional).map(\.name),
            path: manifest.path)
    }
}

/// The reference images of one import's `grid` column, each read once (its sha256 and its
/// header's grid) however many rows name it.
final class GridFiles: Sendable {
    private let grids = Mutex<[String: Result<MaskGrid, RowRejection>]>([:])

    /// The grid of the image at `path` (resolved); a file that is no NIfTI image rejects the row, naming it.
    func grid(_ path: String) throws(RowRejection) -> MaskGrid {
        if let known = grids.withLock({ $0[path] }) { return try known.get() }
        let result = Result { () throws(RowRejection) -> MaskGrid in
            do {
                let bytes = try FileBytes.read(path, maximumBytes: MaskSizeLimit.fileBytes())
                return MaskGrid(sha256: SHA256Digest.hex(bytes), source: path, grid: try NIfTIGrid(fileBytes: bytes, path: path))
            } catch {
                throw RowRejection("its grid \(path): \((error as? NIfTIError)?.reason ?? Manifest.reason(error))")
            }
        }
        grids.withLock { $0[path] = result }
        return try result.get()
    }
}
