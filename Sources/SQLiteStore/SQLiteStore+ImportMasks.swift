import Atlas
import Formatting
import Foundation
import GRDB
import NIfTI
import Store
import StudyCore

/// How an import runs.
public struct ImportOptions: Sendable {
    /// The study for rows without a `study` column.
    public var study: String?
    /// Write nothing at all when any row is rejected.
    public var strict: Bool
    /// The command line, for the audit log.
    public var command: String
    /// How many rows are checked at once (files read, decoded and measured in parallel).
    public var jobs: Int
    /// Called after each row is checked, with (rows done, rows in all), from any thread.
    public var progress: (@Sendable (Int, Int) -> Void)?

    /// Import options; `jobs` defaults to the machine's cores.
    public init(
        study: String? = nil, strict: Bool = false, command: String,
        jobs: Int = ProcessInfo.processInfo.activeProcessorCount, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) {
        self.study = study
        self.strict = strict
        self.command = command
        self.jobs = jobs
        self.progress = progress
    }
}

/// A mask row that passed every check, ready to be written.
struct PreparedMask: Sendable {
    var line: Int
    var path: String
    var resolvedPath: String
    var sha256: String
    var study: String
    var fold: Int
    var run: Int
    var model: String
    var lambda1: Double
    var lambda2: Double
    var beta1: Double?
    var beta2: Double?
    var subjects: String
    var semantics: MaskSemantics
    var params: String
    var atlasID: Int64
    var measurement: Measurement

    /// What the import learnt from the file.
    enum Measurement: Sendable {
        /// The database already holds this file measured over this atlas with these
        /// semantics: its bytes, grid and densities are copied from there, undecoded.
        case recorded
        /// A newly measured file: its bytes (stored as they were read and hashed), grid and densities.
        case new(bytes: [UInt8], dims: [Int], affine: String, densities: RegionDensities)
    }
}

/// An atlas masks are measured over: its row id, and its calculator (being decoded).
struct ImportAtlas: Sendable {
    var id: Int64
    var calculator: BackgroundValue<DensityCalculator>
}

extension SQLiteStore {
    /// The columns of a mask manifest; any other column is a parameter.
    static let maskColumns = (
        required: ["path", "fold", "run", "lambda1", "lambda2"],
        optional: ["study", "beta1", "beta2", "subjects", "semantics", "model", "atlas"]
    )

    /// Imports the masks a manifest lists: every row is checked (file readable and
    /// valid, values in range, densities computed) before anything is written; then all
    /// valid rows go in one transaction. Rows already recorded are left as they are.
    public func importMasks(manifestPath: String, options: ImportOptions) throws -> ImportSummary {
        let manifest = try Manifest(path: manifestPath, required: Self.maskColumns.required)
        try initialize(study: nil, command: options.command)
        let study = try defaultStudy(options.study)
        // Each atlas the manifest names, loaded once (an unknown one rejects its rows), and
        // decoded while the workers read and hash the first files.
        var calculators: [String: Result<ImportAtlas, any Error>] = [:]
        for name in Set(manifest.rows.map { $0["atlas"] ?? "aal2" }) {
            calculators[name] = Result {
                let stored = try storedAtlas(named: name)
                let database = path
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
        let log = ImportLog(kind: "masks", command: options.command, manifest: manifest)
        // Storing a checked mask never rejects it, so it needs no savepoint.
        return try runImport(
            manifest, log: log, options: options, key: { $0["path"] ?? "" }, storeMayReject: false,
            file: { row in row["path"].map(manifest.resolve) }
        ) { row in
            let atlas = try atlases[row["atlas"] ?? "aal2"]!.get()
            return try self.prepareMask(row, manifest: manifest, study: study, atlas: atlas, measured: measured)
        } store: { mask, importID, db in
            try Self.store(mask, importID: importID, in: db)
        }
    }

    /// The files the database has measured, as `measuredKey`s: a file's densities depend
    /// only on its bytes, the atlas and the semantics, so re-imports need not decode it again.
    private func measuredFiles() throws -> Set<String> {
        try read { db in
            Set(try Row.fetchAll(db, sql: "SELECT DISTINCT nifti_sha256, atlas_id, semantics FROM masks").map {
                Self.measuredKey(sha256: $0[0], atlasID: $0[1], semantics: $0[2])
            })
        }
    }

    private static func measuredKey(sha256: String, atlasID: Int64, semantics: String) -> String {
        "\(sha256) \(atlasID) \(semantics)"
    }

    /// Checks one row and computes its densities, touching only the row's file (which is
    /// hashed first, and decoded only when the database has not measured it already).
    private func prepareMask(
        _ row: Manifest.Row, manifest: Manifest, study: String, atlas: ImportAtlas, measured: Set<String>
    ) throws -> PreparedMask {
        guard let path = row["path"] else { throw RowRejection("path is empty") }
        let fold = try row.integer("fold")
        let run = try row.integer("run")
        let lambda1 = try row.number("lambda1", minimum: 0)
        let lambda2 = try row.number("lambda2", minimum: 0)
        let beta1 = try row.optionalNumber("beta1")
        let beta2 = try row.optionalNumber("beta2")
        let semanticsText = row["semantics"] ?? "keep"
        guard let semantics = MaskSemantics(rawValue: semanticsText) else {
            throw RowRejection("semantics '\(semanticsText)' is neither keep nor perturb")
        }
        let known = Set(Self.maskColumns.required + Self.maskColumns.optional)
        var params = Parameters()
        for (column, cell) in row.cells where !known.contains(column) { params.values[column] = .init(cell: cell) }

        let resolved = manifest.resolve(path)
        let bytes = try FileBytes.read(resolved)
        let sha256 = SHA256Digest.hex(bytes)
        let measurement: PreparedMask.Measurement
        if measured.contains(Self.measuredKey(sha256: sha256, atlasID: atlas.id, semantics: semantics.rawValue)) {
            measurement = .recorded
        } else {
            let image = try NIfTIImage(fileBytes: bytes, path: resolved)
            measurement = .new(
                bytes: bytes, dims: Array((image.shape + [1, 1]).prefix(3)),
                affine: "[" + image.affine.entries.map { NumberText.exact($0) }.joined(separator: ",") + "]",
                densities: try atlas.calculator.get().densities(of: image, semantics: semantics))
        }
        return PreparedMask(
            line: row.line, path: path, resolvedPath: resolved, sha256: sha256,
            study: row["study"] ?? study, fold: fold, run: run, model: row["model"] ?? "",
            lambda1: lambda1, lambda2: lambda2, beta1: beta1, beta2: beta2,
            subjects: row["subjects"] ?? "", semantics: semantics, params: params.json,
            atlasID: atlas.id, measurement: measurement)
    }

    /// Writes one checked mask unless its file and settings are already recorded (the
    /// `masks_identity` index says which: a conflict there inserts nothing).
    private static func store(_ mask: PreparedMask, importID: Int64, in db: Database) throws -> ImportSummary.RowResult {
        var result = ImportSummary.RowResult(line: mask.line, path: mask.path, sha256: mask.sha256, outcome: .unchanged)
        let modelID = try modelID(study: mask.study, fold: mask.fold, run: mask.run, name: mask.model, in: db)
        let settings: StatementArguments = [
            modelID, mask.lambda1, mask.lambda2, mask.beta1, mask.beta2, mask.subjects, mask.semantics.rawValue,
            mask.params, mask.atlasID, mask.sha256,
        ]
        let columns = """
            model_id, lambda1, lambda2, beta1, beta2, subjects, semantics, params, atlas_id,
            nifti_sha256, dim_x, dim_y, dim_z, affine, source_path, import_id
            """
        switch mask.measurement {
        case let .new(bytes, dims, affine, densities):
            try storeBlob(bytes, sha256: mask.sha256, in: db)
            try db.execute(
                sql: "INSERT INTO masks (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: settings + [dims[0], dims[1], dims[2], affine, mask.resolvedPath, importID])
            guard db.changesCount > 0 else { return result }
            let maskID = db.lastInsertedRowID
            let statement = try db.cachedStatement(
                sql: "INSERT INTO mask_densities (mask_id, atlas_id, label, density, voxels) VALUES (?, ?, ?, ?, ?)")
            for (index, region) in densities.regions.enumerated() {
                try statement.execute(arguments: [
                    maskID, mask.atlasID, region.label, densities.densities[index], densities.voxelCounts[index],
                ])
            }
        case .recorded:
            // The grid and densities of a record of the same file, atlas and semantics.
            let sameFile: StatementArguments = [mask.sha256, mask.atlasID, mask.semantics.rawValue]
            guard let measured = try Int64.fetchOne(
                db, sql: "SELECT id FROM masks WHERE nifti_sha256 = ? AND atlas_id = ? AND semantics = ? LIMIT 1", arguments: sameFile)
            else { throw StoreError.database(path: mask.resolvedPath, message: "its recorded measurement disappeared during the import") }
            try db.execute(
                sql: """
                    INSERT INTO masks (\(columns))
                    SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, dim_x, dim_y, dim_z, affine, ?, ? FROM masks WHERE id = ?
                    ON CONFLICT DO NOTHING
                    """,
                arguments: settings + [mask.resolvedPath, importID, measured])
            guard db.changesCount > 0 else { return result }
            try db.execute(
                sql: """
                    INSERT INTO mask_densities (mask_id, atlas_id, label, density, voxels)
                    SELECT ?, atlas_id, label, density, voxels FROM mask_densities WHERE mask_id = ?
                    """,
                arguments: [db.lastInsertedRowID, measured])
        }
        result.outcome = .added
        return result
    }
}
