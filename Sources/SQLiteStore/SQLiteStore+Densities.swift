import NIfTI
import Foundation
import Atlas
import GRDB
import Store
import StudyCore

extension SQLiteStore {
    /// A recorded mask's stored density vector over its atlas, in ascending label order.
    public func storedDensities(maskID: Int64) throws -> RegionDensities {
        try storedDensities(maskID: maskID, atlas: nil)
    }

    public func storedDensities(maskID: Int64, atlas: String?) throws -> RegionDensities {
        try read { db in
            // The import atlas's id, or the named one's (unknown: an error listing the registered ones).
            var atlasID = "masks.atlas_id"
            var arguments: StatementArguments = []
            if let atlas {
                guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM atlases WHERE name = ?", arguments: [atlas]) else {
                    throw StoreError.unknownAtlas(name: atlas, known: try String.fetchAll(db, sql: "SELECT name FROM atlases ORDER BY name"))
                }
                (atlasID, arguments) = ("?", [id])
                let measured = try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM density_vectors WHERE mask_id = ? AND atlas_id = ?)", arguments: [maskID, id])
                if measured == false, try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM masks WHERE id = ?)", arguments: [maskID]) == true {
                    throw StoreError.notMeasured(atlas: atlas, count: 1, of: 1)
                }
            }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT atlas_regions.label, atlas_regions.name, mask_densities.density, mask_densities.voxels
                    FROM masks
                    JOIN atlas_regions ON atlas_regions.atlas_id = \(atlasID)
                    LEFT JOIN mask_densities ON mask_densities.mask_id = masks.id
                        AND mask_densities.atlas_id = atlas_regions.atlas_id AND mask_densities.label = atlas_regions.label
                    WHERE masks.id = ?
                    ORDER BY atlas_regions.label
                    """, arguments: arguments + [maskID])
            guard !rows.isEmpty else { throw StoreError.notRecorded(target: String(maskID)) }
            return RegionDensities(
                regions: rows.map { AtlasRegion(label: $0["label"], name: $0["name"]) },
                densities: rows.map { $0["density"] },
                voxelCounts: rows.map { $0["voxels"] ?? 0 })
        }
    }

    /// The stored bytes of a recorded mask's NIfTI file, exactly as imported: checked
    /// against their sha256, since every caller hands them to a user or draws them.
    public func maskFileBytes(maskID: Int64) throws -> [UInt8] {
        let (sha256, bytes) = try read { db -> (String, [UInt8]) in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT blobs.sha256, blobs.bytes FROM masks JOIN blobs ON blobs.sha256 = masks.nifti_sha256 WHERE masks.id = ?",
                arguments: [maskID])
            else { throw StoreError.notRecorded(target: String(maskID)) }
            return (row["sha256"], [UInt8](row["bytes"] as Data? ?? Data()))
        }
        try Self.check(bytes, sha256: sha256, record: "mask \(maskID)")
        return bytes
    }

    public func storedBlob(sha256: String) throws -> [UInt8]? {
        let bytes = try read { db in
            try Data.fetchOne(db, sql: "SELECT bytes FROM blobs WHERE sha256 = ?", arguments: [sha256]).map { [UInt8]($0) }
        }
        if let bytes { try Self.check(bytes, sha256: sha256, record: "stored file \(sha256.prefix(12))") }
        return bytes
    }

    public func maskGrid(maskID: Int64) throws -> MaskGrid? {
        try read { db in try Self.maskGrid(maskID: maskID, in: db) }
    }

    public func measuredGrids(maskIDs: [Int64]) throws -> [Int64: MeasuredGrid] {
        try read { db in
            var grids: [Int64: MeasuredGrid] = [:]
            let ids = IDSelection(maskIDs)
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT id, grid_sha256, grid_source, dim_x, dim_y, dim_z, affine FROM masks WHERE \(ids.condition("id"))",
                arguments: ids.arguments)
            while let row = try cursor.next() {
                let id: Int64 = row["id"]
                guard ids.contains(id) else { continue }
                let grid = NIfTIGrid(shape: [row["dim_x"], row["dim_y"], row["dim_z"]], affine: try Self.affine(json: row["affine"], maskID: id))
                let reference = (row["grid_sha256"] as String?).map { MaskGrid(sha256: $0, source: row["grid_source"] ?? "", grid: grid) }
                grids[id] = MeasuredGrid(grid: grid, reference: reference)
            }
            return grids
        }
    }

    static func maskGrid(maskID: Int64, in db: Database) throws -> MaskGrid? {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT grid_sha256, grid_source, dim_x, dim_y, dim_z, affine FROM masks WHERE id = ?", arguments: [maskID])
        else { throw StoreError.notRecorded(target: String(maskID)) }
        guard let sha256: String = row["grid_sha256"] else { return nil }
        return MaskGrid(
            sha256: sha256, source: row["grid_source"] ?? "",
            grid: NIfTIGrid(shape: [row["dim_x"], row["dim_y"], row["dim_z"]], affine: try Self.affine(json: row["affine"], maskID: maskID)))
    }

    /// A stored affine (a JSON array of 16 numbers) read back.
    static func affine(json: String, maskID: Int64) throws -> Affine {
        guard let values = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Double], values.count == 16 else {
            throw StoreError.database(path: "mask \(maskID)", message: "its recorded affine \(json) is not 16 numbers; run maskdb verify")
        }
        return Affine(rowMajor: values)
    }

    /// Refuses stored bytes that no longer hash to their recorded sha256 (a flipped bit,
    /// a damaged page): what leaves the store is what was imported, or nothing.
    static func check(_ bytes: [UInt8], sha256: String, record: String) throws {
        let actual = SHA256Digest.hex(bytes)
        if actual != sha256 { throw StoreError.damagedFile(record: record, actual: actual, recorded: sha256) }
    }
}
