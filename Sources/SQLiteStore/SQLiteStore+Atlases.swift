import Foundation
import Atlas
import NIfTI
import GRDB
import GRDBSQLite
import Store
import StudyCore

extension SQLiteStore {
    /// Registers the built-in AAL2 (its files as blobs, its regions); a no-op when present.
    static func registerBuiltinAtlases(_ db: Database) throws {
        guard try Int64.fetchOne(db, sql: "SELECT id FROM atlases WHERE name = 'aal2'") == nil else { return }
        let files = Atlas.aal2Files
        // Only the region table is needed here: no need to decode the label image.
        let regions = try LabelTable.parse(String(decoding: files.labels, as: UTF8.self), path: "aal2 atlas labels")
        let image = try storeBlob(files.image, in: db)
        let labels = try storeBlob(files.labels, in: db)
        try db.execute(
            sql: "INSERT INTO atlases (name, image_sha256, labels_sha256) VALUES ('aal2', ?, ?)", arguments: [image, labels])
        let id = db.lastInsertedRowID
        for region in regions {
            try db.execute(
                sql: "INSERT INTO atlas_regions (atlas_id, label, name) VALUES (?, ?, ?)",
                arguments: [id, region.label, region.name])
        }
    }

    /// Stores `bytes` in the blob table unless present, and returns their sha256.
    @discardableResult
    static func storeBlob(_ bytes: [UInt8], sha256: String? = nil, in db: Database) throws -> String {
        let key = sha256 ?? SHA256Digest.hex(bytes)
        guard bytes.count <= inPlaceBlobLimit else {
            // Bound in place (the Data must not outlive this call); SQLite copies it twice.
            try bytes.withUnsafeBytes { buffer in
                let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: buffer.baseAddress!), count: buffer.count, deallocator: .none)
                try db.execute(
                    sql: "INSERT OR IGNORE INTO blobs (sha256, size, bytes) VALUES (?, ?, ?)", arguments: [key, bytes.count, data])
            }
            handToKernel(db)
            return key
        }
        // A zero-filled blob, then the bytes written into its pages: one copy instead of three.
        try db.execute(
            sql: "INSERT OR IGNORE INTO blobs (sha256, size, bytes) VALUES (?, ?, zeroblob(?))",
            arguments: [key, bytes.count, bytes.count])
        guard db.changesCount > 0, !bytes.isEmpty else { return key }
        var blob: OpaquePointer?
        var code = sqlite3_blob_open(db.sqliteConnection, "main", "blobs", "bytes", db.lastInsertedRowID, 1, &blob)
        if code == SQLITE_OK {
            code = bytes.withUnsafeBytes { sqlite3_blob_write(blob, $0.baseAddress, Int32($0.count), 0) }
        }
        // The message before closing, which would reset it.
        let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
        sqlite3_blob_close(blob)
        guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message) }
        if bytes.count >= 1 << 20 { handToKernel(db) }
        return key
    }

    /// Writes the page cache's dirty pages to the file now, inside the transaction, and has
    /// the kernel start writing them to disk (`EarlyWriteback`), so that a large blob goes to
    /// disk while the import goes on and the commit has only the last one to write and wait
    /// for. A failure here is left for the commit, which writes the same pages, to report.
    private static func handToKernel(_ db: Database) {
        _ = sqlite3_db_cacheflush(db.sqliteConnection)
        EarlyWriteback(path: String(cString: sqlite3_db_filename(db.sqliteConnection, "main"))).start()
    }

    /// The largest blob written in place: its zero-filled pages must stay in the page cache
    /// (`SQLiteStore.pageCacheBytes`) until its bytes replace them, or they are written twice.
    static let inPlaceBlobLimit = pageCacheBytes / 2

    public func atlasNames() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT name FROM atlases ORDER BY name") }
    }

    public func atlas(named name: String) throws -> Atlas {
        let stored = try atlasFiles(named: name).checked(name: name)
        return try Atlas(name: name, imageBytes: stored.image, labelsBytes: stored.labels)
    }

    public func atlasFiles(named name: String) throws -> StoredAtlasFiles {
        let stored = try read { db -> (Int64, Row)? in
            guard let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT atlases.id, image.bytes AS image, labels.bytes AS labels,
                           atlases.image_sha256, atlases.labels_sha256 FROM atlases
                    JOIN blobs AS image ON image.sha256 = atlases.image_sha256
                    JOIN blobs AS labels ON labels.sha256 = atlases.labels_sha256
                    WHERE atlases.name = ?
                    """, arguments: [name])
            else { return nil }
            return (row["id"], row)
        }
        guard let (id, row) = stored else {
            throw StoreError.unknownAtlas(name: name, known: try atlasNames())
        }
        // Unchecked here (an import copying recorded densities needs only the id): whoever
        // decodes them calls `checked`.
        return StoredAtlasFiles(
            id: id, image: [UInt8](row["image"] as Data? ?? Data()), labels: [UInt8](row["labels"] as Data? ?? Data()),
            imageSHA256: row["image_sha256"], labelsSHA256: row["labels_sha256"])
    }
}

extension SQLiteStore {
    public func atlasSummaries() throws -> [AtlasSummary] {
        let rows = try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT atlases.name, atlases.image_sha256, atlases.labels_sha256, image.bytes AS image,
                           (SELECT count(*) FROM atlas_regions WHERE atlas_id = atlases.id) AS regions,
                           (SELECT count(*) FROM density_vectors WHERE atlas_id = atlases.id) AS measured,
                           (SELECT count(*) FROM masks WHERE atlas_id = atlases.id) AS imported
                    FROM atlases LEFT JOIN blobs AS image ON image.sha256 = atlases.image_sha256
                    ORDER BY atlases.name
                    """)
        }
        return rows.map { row in
            let image = (row["image"] as Data?).map { [UInt8]($0) }
            return AtlasSummary(
                name: row["name"], regions: row["regions"], imageSHA256: row["image_sha256"], labelsSHA256: row["labels_sha256"],
                // Its header alone: a listing decodes no voxel.
                dims: image.flatMap { try? NIfTIGrid(fileBytes: $0, path: "atlas").shape },
                measured: row["measured"], imported: row["imported"])
        }
    }
}
