import Foundation
import GRDB
import Store
import StudyCore

extension SQLiteStore {
    /// Checks the whole database: SQLite's integrity and foreign keys, every blob's
    /// sha256 recomputed, every mask's density vector complete and
    /// its packed copy the same. Returns the problems found.
    public func verify() throws -> [String] {
        // Outside a transaction: an error on a damaged page ends the transaction it met it in,
        // whose COMMIT then fails, hiding every problem found. Each check is one statement.
        try readWithoutTransaction { db in
            var problems = try Self.integrityProblems(db)
            // A damaged file can fail any read: each check names the table it read.
            func checking(_ what: String, _ body: (inout [String]) throws -> Void) throws {
                do { try body(&problems) } catch let error as DatabaseError where Self.isCorruption(error) {
                    problems.append("\(what): SQLite cannot read it: \(error.message ?? "database disk image is malformed")")
                }
            }
            try checking("the foreign keys") { try foreignKeyProblems(db, into: &$0) }
            try checking("table blobs") { try blobProblems(db, into: &$0) }
            try checking("table mask_densities") { try densityProblems(db, into: &$0) }
            try checking("table density_vectors") { try vectorProblems(db, into: &$0) }
            return problems
        }
    }

    /// SQLite's check of a file too damaged to open as a store (its schema or migrations
    /// unreadable): the plain connection `verify` falls back to.
    public static func integrityProblems(path: String) throws -> [String] {
        do {
            let queue = try DatabaseQueue(path: path)
            defer { try? queue.close() }
            return try queue.inDatabase(integrityProblems)
        } catch let error as DatabaseError {
            throw StoreError(error, path: path)
        }
    }

    /// SQLite's own check, one problem a line, the page named as SQLite names it and a
    /// b-tree's root page as its table: `page 5: btreeInitPage() returns error code 11`,
    /// `table blobs (tree 4) page 9 cell 2: ...`, `row 3 missing from index masks_model`.
    /// `integrity_check` reads every page; when even it cannot run, `quick_check` may.
    static func integrityProblems(_ db: Database) throws -> [String] {
        var messages: [String] = []
        var failure: DatabaseError?
        for pragma in ["integrity_check(\(integrityLimit))", "quick_check(\(integrityLimit))"] where messages.isEmpty {
            // Row by row: on a damaged page SQLite returns its messages, then fails the next step.
            do {
                let cursor = try String.fetchCursor(db, sql: "PRAGMA \(pragma)")
                while let message = try cursor.next() { messages.append(message) }
            } catch let error as DatabaseError where isCorruption(error) {
                failure = failure ?? error
            }
        }
        if messages.isEmpty, let failure {
            return ["integrity: SQLite cannot check the file: \(failure.message ?? "database disk image is malformed")"]
        }
        let tables = (try? Dictionary(
            Row.fetchAll(db, sql: "SELECT rootpage, type, name FROM sqlite_master WHERE rootpage > 0").map {
                ($0["rootpage"] as Int, "\($0["type"] as String) \($0["name"] as String)")
            }, uniquingKeysWith: { first, _ in first })) ?? [:]
        let lines = messages.filter { $0 != "ok" }
            .flatMap { $0.split(separator: "\n").map(String.init) }
            .filter { !$0.hasPrefix("*** in database") }
        return lines.map { "integrity: \(describe($0, tables: tables))" }
            + (messages.count >= integrityLimit ? ["integrity: SQLite stopped after \(integrityLimit) problems; there may be more"] : [])
    }

    /// How many problems `integrity_check` reports at most.
    static let integrityLimit = 20

    /// `Page 5: ...` as `page 5: ...`, `Tree 4 page 9 cell 2: ...`, with the table a root page is of.
    static func describe(_ message: String, tables: [Int: String]) -> String {
        let words = message.split(separator: " ", maxSplits: 2).map(String.init)
        if words.count == 3, words[0] == "Tree", let root = Int(words[1]) {
            return "\(tables[root] ?? "b-tree") (tree \(root)) \(words[2])"
        }
        if words.count == 3, words[0] == "Page", let page = Int(words[1].dropLast()) {
            return "page \(page)\(tables[page].map { " (the root of \($0))" } ?? ""): \(words[2])"
        }
        return message
    }

    static func isCorruption(_ error: DatabaseError) -> Bool {
        [.SQLITE_CORRUPT, .SQLITE_NOTADB, .SQLITE_IOERR].contains(error.resultCode)
    }

    private func foreignKeyProblems(_ db: Database, into problems: inout [String]) throws {
        for row in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") {
            let (table, rowid, parent): (String, Int64?, String) = (row["table"], row["rowid"], row["parent"])
            problems.append("foreign key: \(table) row \(rowid.map(String.init) ?? "?") points to a missing \(parent) row")
        }
    }

    private func blobProblems(_ db: Database, into problems: inout [String]) throws {
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
    }

    private func densityProblems(_ db: Database, into problems: inout [String]) throws {
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
        // Densities over other atlases (`maskdb measure`): each such vector complete too.
        let measured = try Row.fetchAll(
            db,
            sql: """
                SELECT mask_densities.mask_id AS id, atlases.name AS atlas, count(*) AS stored,
                       (SELECT count(*) FROM atlas_regions WHERE atlas_regions.atlas_id = mask_densities.atlas_id) AS expected
                FROM mask_densities JOIN masks ON masks.id = mask_densities.mask_id
                JOIN atlases ON atlases.id = mask_densities.atlas_id
                WHERE mask_densities.atlas_id <> masks.atlas_id
                GROUP BY mask_densities.mask_id, mask_densities.atlas_id HAVING stored <> expected
                ORDER BY mask_densities.mask_id, atlases.name
                """)
        for row in measured {
            let (id, atlas, stored, expected): (Int64, String, Int, Int) = (row["id"], row["atlas"], row["stored"], row["expected"])
            problems.append("mask \(id): \(stored) of its \(expected) region densities over atlas \(atlas) are stored")
        }
    }

    /// The packed vectors the analyses read must be the rows, packed (see 0006).
    private func vectorProblems(_ db: Database, into problems: inout [String]) throws {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT masks.id, density_vectors.mask_id IS NULL AS missing,
                       density_vectors.densities IS maskdb_pack_densities(mask_densities.label, mask_densities.density)
                       AND density_vectors.voxels IS maskdb_pack_voxels(mask_densities.label, mask_densities.voxels) AS agree
                FROM masks LEFT JOIN density_vectors ON density_vectors.mask_id = masks.id AND density_vectors.atlas_id = masks.atlas_id
                JOIN mask_densities ON mask_densities.mask_id = masks.id AND mask_densities.atlas_id = masks.atlas_id
                GROUP BY masks.id HAVING missing OR NOT agree ORDER BY masks.id
                """)
        for row in rows {
            let (id, missing): (Int64, Bool) = (row["id"], row["missing"])
            problems.append("mask \(id): " + (missing ? "its packed density vector is missing" : "its packed density vector is not its region densities"))
        }
        // Over the other atlases a mask was measured on: every vector its rows packed, and no vector without rows.
        let measured = try Row.fetchAll(
            db,
            sql: """
                SELECT mask_densities.mask_id AS id, atlases.name AS atlas, density_vectors.mask_id IS NULL AS missing,
                       density_vectors.densities IS maskdb_pack_densities(mask_densities.label, mask_densities.density)
                       AND density_vectors.voxels IS maskdb_pack_voxels(mask_densities.label, mask_densities.voxels) AS agree
                FROM mask_densities JOIN masks ON masks.id = mask_densities.mask_id
                JOIN atlases ON atlases.id = mask_densities.atlas_id
                LEFT JOIN density_vectors ON density_vectors.mask_id = mask_densities.mask_id
                    AND density_vectors.atlas_id = mask_densities.atlas_id
                WHERE mask_densities.atlas_id <> masks.atlas_id
                GROUP BY mask_densities.mask_id, mask_densities.atlas_id HAVING missing OR NOT agree
                UNION ALL
                SELECT density_vectors.mask_id, atlases.name, 0, 0 FROM density_vectors
                JOIN masks ON masks.id = density_vectors.mask_id JOIN atlases ON atlases.id = density_vectors.atlas_id
                WHERE density_vectors.atlas_id <> masks.atlas_id AND NOT EXISTS (SELECT 1 FROM mask_densities WHERE mask_densities.mask_id = density_vectors.mask_id
                                  AND mask_densities.atlas_id = density_vectors.atlas_id)
                ORDER BY 1, 2
                """)
        for row in measured {
            let (id, atlas, missing): (Int64, String, Bool) = (row[0], row[1], row[2])
            problems.append("mask \(id): its packed density vector over atlas \(atlas) " + (missing ? "is missing" : "is not its region densities"))
        }
    }
}
