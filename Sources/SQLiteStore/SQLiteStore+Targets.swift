import Foundation
import GRDB
import NIfTI
import Store

extension SQLiteStore {
    public func resolveRecordedMask(_ target: String) throws -> Int64 {
        let ids = try read { db in try Self.recordedIDs(target, in: db) }
        guard ids.count == 1 else { throw StoreError.ambiguous(target: target, ids: ids) }
        return ids[0]
    }

    public func resolveMasks(_ target: String) throws -> [Int64] {
        guard FileManager.default.fileExists(atPath: target) else {
            return try read { db in try Self.recordedIDs(target, in: db) }
        }
        let sha256 = SHA256Digest.hex(try FileBytes.read(target))
        let ids = try read { db in try Self.maskIDs(sha256: sha256, prefix: false, in: db) }
        guard !ids.isEmpty else { throw StoreError.notRecorded(target: target) }
        return ids
    }

    /// Ids matching a mask id or sha256 (prefix); never empty.
    static func recordedIDs(_ target: String, in db: Database) throws -> [Int64] {
        let isHex = MaskTarget.isSHA256Prefix(target)
        let ids: [Int64]
        if let id = Int64(target), !isHex {
            ids = try Int64.fetchAll(db, sql: "SELECT id FROM masks WHERE id = ?", arguments: [id])
        } else if isHex {
            ids = try maskIDs(sha256: target.lowercased(), prefix: target.count < 64, in: db)
        } else {
            throw StoreError.badTarget(target: target)
        }
        guard !ids.isEmpty else { throw StoreError.notRecorded(target: target) }
        return ids
    }

    /// Ids of the masks stored from the file with this sha256 (or prefix).
    static func maskIDs(sha256: String, prefix: Bool, in db: Database) throws -> [Int64] {
        // A prefix is a range of the index on nifti_sha256: [prefix, prefix + "g").
        prefix
            ? try Int64.fetchAll(
                db, sql: "SELECT id FROM masks WHERE nifti_sha256 >= ? AND nifti_sha256 < ? ORDER BY id",
                arguments: [sha256, sha256 + "g"])
            : try Int64.fetchAll(db, sql: "SELECT id FROM masks WHERE nifti_sha256 = ? ORDER BY id", arguments: [sha256])
    }
}
