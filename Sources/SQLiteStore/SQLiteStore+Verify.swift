import Foundation
import GRDB
import Store
import StudyCore

extension SQLiteStore {
    /// Checks the whole database: SQLite's integrity and foreign keys, every blob's
    /// sha256 recomputed, every mask's density vector complete. Returns the problems found.
    public func verify() throws -> [String] {
        try read { db in
            var problems: [String] = []
            for message in try String.fetchAll(db, sql: "PRAGMA integrity_check") where message != "ok" {
                problems.append("integrity: \(message)")
            }
            for row in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") {
                let (table, rowid, parent): (String, Int64?, String) = (row["table"], row["rowid"], row["parent"])
                problems.append("foreign key: \(table) row \(rowid.map(String.init) ?? "?") points to a missing \(parent) row")
            }
            let blobs = try Row.fetchCursor(db, sql: "SELECT sha256, size, bytes FROM blobs ORDER BY sha256")
            while let row = try blobs.next() {
                let (sha256, size, data): (String, Int, Data) = (row["sha256"], row["size"], row["bytes"])
                let bytes = [UInt8](data)
                if bytes.count != size {
                    problems.append("blob \(sha256): \(bytes.count) bytes stored, \(size) recorded")
                } else if SHA256Digest.hex(bytes) != sha256 {
                    problems.append("blob \(sha256): its bytes no longer hash to their sha256 (altered)")
                }
            }
            let incomplete = try Row.fetchAll(
                db,
                sql: """
                    SELECT masks.id, count(mask_densities.label) AS stored,
                           (SELECT count(*) FROM atlas_regions WHERE atlas_regions.atlas_id = masks.atlas_id) AS expected
                    FROM masks LEFT JOIN mask_densities
                        ON mask_densities.mask_id = masks.id AND mask_densities.atlas_id = masks.atlas_id
                    GROUP BY masks.id HAVING stored <> expected ORDER BY masks.id
                    """)
            for row in incomplete {
                let (id, stored, expected): (Int64, Int, Int) = (row["id"], row["stored"], row["expected"])
                problems.append("mask \(id): \(stored) of its \(expected) region densities are stored")
            }
            return problems
        }
    }
}
