import Atlas
import Formatting
import Foundation
import GRDB
import NIfTI

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
    /// The file's bytes, stored as they were read and hashed.
    var bytes: [UInt8]
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
    var dims: [Int]
    var affine: String
    var densities: RegionDensities
}

extension MaskStore {
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
        // Each atlas the manifest names, loaded once (an unknown one rejects its rows).
        var calculators: [String: Result<(id: Int64, calculator: DensityCalculator), any Error>] = [:]
        for name in Set(manifest.rows.map { $0["atlas"] ?? "aal2" }) {
            calculators[name] = Result { let (id, atlas) = try loadAtlas(named: name); return (id, DensityCalculator(atlas: atlas)) }
        }
        let atlases = calculators
        let log = ImportLog(kind: "masks", command: options.command, manifest: manifest)
        // Storing a checked mask never rejects it, so it needs no savepoint.
        return try runImport(manifest, log: log, options: options, key: { $0["path"] ?? "" }, storeMayReject: false) { row in
            let atlas = try atlases[row["atlas"] ?? "aal2"]!.get()
            return try self.prepareMask(row, manifest: manifest, study: study, atlas: atlas)
        } store: { mask, importID, db in
            try Self.store(mask, importID: importID, in: db)
        }
    }

    /// Checks one row and computes its densities, touching only the row's file.
    private func prepareMask(
        _ row: Manifest.Row, manifest: Manifest, study: String, atlas: (id: Int64, calculator: DensityCalculator)
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
        let image = try NIfTIImage(fileBytes: bytes, path: resolved)
        let densities = try atlas.calculator.densities(of: image, semantics: semantics)
        return PreparedMask(
            line: row.line, path: path, resolvedPath: resolved, bytes: bytes, sha256: SHA256Digest.hex(bytes),
            study: row["study"] ?? study, fold: fold, run: run, model: row["model"] ?? "",
            lambda1: lambda1, lambda2: lambda2, beta1: beta1, beta2: beta2,
            subjects: row["subjects"] ?? "", semantics: semantics, params: params.json,
            atlasID: atlas.id, dims: Array((image.shape + [1, 1]).prefix(3)),
            affine: "[" + image.affine.entries.map { NumberText.exact($0) }.joined(separator: ",") + "]",
            densities: densities)
    }

    /// Writes one checked mask unless its file and settings are already recorded.
    private static func store(_ mask: PreparedMask, importID: Int64, in db: Database) throws -> ImportSummary.RowResult {
        var result = ImportSummary.RowResult(line: mask.line, path: mask.path, sha256: mask.sha256, outcome: .unchanged)
        let modelID = try modelID(study: mask.study, fold: mask.fold, run: mask.run, name: mask.model, in: db)
        let identity: StatementArguments = [
            mask.sha256, modelID, mask.lambda1, mask.lambda2, mask.beta1, mask.beta2,
            mask.subjects, mask.semantics.rawValue, mask.params, mask.atlasID,
        ]
        let existing = try Int64.fetchOne(
            db,
            sql: """
                SELECT id FROM masks WHERE nifti_sha256 = ? AND model_id = ? AND lambda1 = ? AND lambda2 = ?
                AND beta1 IS ? AND beta2 IS ? AND subjects = ? AND semantics = ? AND params = ? AND atlas_id = ?
                """, arguments: identity)
        if existing != nil { return result }

        try storeBlob(mask.bytes, sha256: mask.sha256, in: db)
        try db.execute(
            sql: """
                INSERT INTO masks (model_id, lambda1, lambda2, beta1, beta2, subjects, semantics, params, atlas_id,
                                   nifti_sha256, dim_x, dim_y, dim_z, affine, source_path, import_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                modelID, mask.lambda1, mask.lambda2, mask.beta1, mask.beta2, mask.subjects, mask.semantics.rawValue,
                mask.params, mask.atlasID, mask.sha256, mask.dims[0], mask.dims[1], mask.dims[2], mask.affine,
                mask.resolvedPath, importID,
            ])
        let maskID = db.lastInsertedRowID
        let statement = try db.cachedStatement(
            sql: "INSERT INTO mask_densities (mask_id, atlas_id, label, density, voxels) VALUES (?, ?, ?, ?, ?)")
        for (index, region) in mask.densities.regions.enumerated() {
            try statement.execute(arguments: [
                maskID, mask.atlasID, region.label, mask.densities.densities[index], mask.densities.voxelCounts[index],
            ])
        }
        result.outcome = .added
        return result
    }
}
