import Foundation
import Atlas
import GRDB
import Store
import StudyCore

extension SQLiteStore {
    /// A recorded mask's stored density vector over its atlas, in ascending label order.
    public func storedDensities(maskID: Int64) throws -> RegionDensities {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT atlas_regions.label, atlas_regions.name, mask_densities.density, mask_densities.voxels
                    FROM masks
                    JOIN atlas_regions ON atlas_regions.atlas_id = masks.atlas_id
                    LEFT JOIN mask_densities ON mask_densities.mask_id = masks.id
                        AND mask_densities.atlas_id = masks.atlas_id AND mask_densities.label = atlas_regions.label
                    WHERE masks.id = ?
                    ORDER BY atlas_regions.label
                    """, arguments: [maskID])
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

    /// Refuses stored bytes that no longer hash to their recorded sha256 (a flipped bit,
    /// a damaged page): what leaves the store is what was imported, or nothing.
    static func check(_ bytes: [UInt8], sha256: String, record: String) throws {
        let actual = SHA256Digest.hex(bytes)
        if actual != sha256 { throw StoreError.damagedFile(record: record, actual: actual, recorded: sha256) }
    }
}
