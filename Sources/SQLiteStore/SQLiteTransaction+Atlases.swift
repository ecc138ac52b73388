import Atlas
import Foundation
import GRDB
import GRDBSQLite
import NIfTI
import Store
import StudyCore

/// Atlases registered and measured over (`maskdb atlas add`, `maskdb measure`), in SQL.
extension SQLiteTransaction {
    func registeredAtlas(named name: String) throws -> RegisteredAtlas? {
        try Row.fetchOne(db, sql: "SELECT id, image_sha256, labels_sha256 FROM atlases WHERE name = ?", arguments: [name]).map {
            RegisteredAtlas(id: $0["id"], imageSHA256: $0["image_sha256"], labelsSHA256: $0["labels_sha256"])
        }
    }

    func addAtlas(name: String, imageSHA256: String, labelsSHA256: String, regions: [AtlasRegion]) throws -> Int64 {
        try db.execute(
            sql: "INSERT INTO atlases (name, image_sha256, labels_sha256) VALUES (?, ?, ?)", arguments: [name, imageSHA256, labelsSHA256])
        let id = db.lastInsertedRowID
        let statement = try db.cachedStatement(sql: "INSERT INTO atlas_regions (atlas_id, label, name) VALUES (?, ?, ?)")
        for region in regions { try statement.execute(arguments: [id, region.label, region.name]) }
        return id
    }

    @discardableResult
    func logAtlasCommand(_ kind: AtlasCommandKind, command: String, atlasID: Int64, count: Int) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO atlas_log (at, command, kind, atlas_id, atlas_name, count, after_import_id)
                VALUES (?, ?, ?, ?, (SELECT name FROM atlases WHERE id = ?), ?, (SELECT max(id) FROM imports))
                """, arguments: [Self.timestamp(Date()), command, kind.rawValue, atlasID, atlasID, count])
        return db.lastInsertedRowID
    }

    func recordsImported(atlasID: Int64) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM masks WHERE atlas_id = ?", arguments: [atlasID]) ?? 0
    }

    func densityVectors(atlasID: Int64) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM density_vectors WHERE atlas_id = ?", arguments: [atlasID]) ?? 0
    }

    func removeAtlas(atlasID: Int64) throws -> Int {
        try db.execute(sql: "DELETE FROM mask_densities WHERE atlas_id = ?", arguments: [atlasID])
        try db.execute(sql: "DELETE FROM density_vectors WHERE atlas_id = ?", arguments: [atlasID])
        let vectors = db.changesCount
        // Its regions go with it (ON DELETE CASCADE); its files stay stored until `maskdb gc`.
        try db.execute(sql: "DELETE FROM atlases WHERE id = ?", arguments: [atlasID])
        return vectors
    }

    func unmeasuredMasks(ids: [Int64], atlasID: Int64) throws -> [MeasureTarget] {
        let selection = SQLiteStore.IDSelection(ids)
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT id, nifti_sha256, semantics, grid_sha256, grid_source, dim_x, dim_y, dim_z, affine FROM masks
                WHERE \(selection.condition("id"))
                  AND NOT EXISTS (SELECT 1 FROM density_vectors WHERE mask_id = masks.id AND atlas_id = ?)
                ORDER BY id
                """, arguments: selection.arguments + [atlasID])
        var targets: [MeasureTarget] = []
        while let row = try rows.next() {
            let id: Int64 = row["id"]
            guard selection.contains(id) else { continue }
            var grid: MaskGrid?
            if let sha256: String = row["grid_sha256"] {
                grid = MaskGrid(
                    sha256: sha256, source: row["grid_source"] ?? "",
                    grid: NIfTIGrid(shape: [row["dim_x"], row["dim_y"], row["dim_z"]], affine: try SQLiteStore.affine(json: row["affine"], maskID: id)))
            }
            targets.append(MeasureTarget(maskID: id, sha256: row["nifti_sha256"], semantics: row["semantics"], grid: grid))
        }
        return targets
    }

    func maskFile(_ id: Int64) throws -> [UInt8] {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT blobs.rowid FROM masks JOIN blobs ON blobs.sha256 = masks.nifti_sha256 WHERE masks.id = ?",
            arguments: [id])
        else { throw StoreError.notRecorded(target: String(id)) }
        // Read in place from the blob's pages into the array (a fetched Data would be copied twice more).
        var blob: OpaquePointer?
        var code = sqlite3_blob_open(db.sqliteConnection, "main", "blobs", "bytes", row[0], 0, &blob)
        defer { sqlite3_blob_close(blob) }
        let count = code == SQLITE_OK ? Int(sqlite3_blob_bytes(blob)) : 0
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { code = sqlite3_blob_read(blob, buffer.baseAddress, Int32(count), 0) }
            initialized = count
        }
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
        return bytes
    }

    func addDensities(_ densities: RegionDensities, maskID: Int64, atlasID: Int64, measuredBy: Int64) throws {
        try insertDensities(densities, maskID: maskID, atlasID: atlasID, measuredBy: measuredBy)
    }
}
