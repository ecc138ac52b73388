import Foundation
import Atlas
import GRDB

extension MaskStore {
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
        // The bytes are bound in place (a mask is megabytes): the Data must not outlive this call.
        try bytes.withUnsafeBytes { buffer in
            let data = buffer.baseAddress.map {
                Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: $0), count: buffer.count, deallocator: .none)
            } ?? Data()
            try db.execute(
                sql: "INSERT OR IGNORE INTO blobs (sha256, size, bytes) VALUES (?, ?, ?)",
                arguments: [key, bytes.count, data])
        }
        return key
    }

    /// The names of the registered atlases.
    public func atlasNames() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT name FROM atlases ORDER BY name") }
    }

    /// A registered atlas, rebuilt from its stored files, with its row id.
    public func loadAtlas(named name: String) throws -> (id: Int64, atlas: Atlas) {
        let stored = try storedAtlas(named: name)
        return (stored.id, try Atlas(name: name, imageBytes: stored.image, labelsBytes: stored.labels))
    }

    /// A registered atlas's row id and stored files (its label image and table).
    func storedAtlas(named name: String) throws -> (id: Int64, image: [UInt8], labels: [UInt8]) {
        let stored = try read { db -> (Int64, Data, Data)? in
            guard let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT atlases.id, image.bytes AS image, labels.bytes AS labels FROM atlases
                    JOIN blobs AS image ON image.sha256 = atlases.image_sha256
                    JOIN blobs AS labels ON labels.sha256 = atlases.labels_sha256
                    WHERE atlases.name = ?
                    """, arguments: [name])
            else { return nil }
            return (row["id"], row["image"], row["labels"])
        }
        guard let (id, image, labels) = stored else {
            throw StoreError.unknownAtlas(name: name, known: try atlasNames())
        }
        return (id, [UInt8](image), [UInt8](labels))
    }
}
