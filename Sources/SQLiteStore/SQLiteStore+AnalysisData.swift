import Foundation
import Atlas
import GRDB
import GRDBSQLite
import Store
import StudyCore

extension SQLiteStore {
    public func studyData(where filter: FilterExpression) throws -> StudyData {
        try studyData(where: filter, atlas: nil)
    }

    public func studyData(where filter: FilterExpression, atlas: String?) throws -> StudyData {
        guard let atlas else { return try importAtlasData(where: filter) }
        return try read { db in
            var masks = try Self.masks(where: filter, in: db)
            let regions = try Self.atlasRegions(named: atlas, in: db)
            let atlasID = try Int64.fetchOne(db, sql: "SELECT id FROM atlases WHERE name = ?", arguments: [atlas])!
            // Each record's atlas reads as the one its vector is over: pairs compare vectors over one atlas.
            for index in masks.indices { masks[index].atlas = atlas }
            let ids = masks.map(\.id)
            let vectors = try Self.densityVectors(maskIDs: ids, labels: regions.map(\.label), atlasID: atlasID, path: path, in: db)
            if vectors.count < ids.count {
                throw StoreError.notMeasured(atlas: atlas, count: ids.count - vectors.count, of: ids.count)
            }
            return StudyData(
                masks: masks, regions: [atlas: regions], vectors: vectors, evaluations: try Self.evaluations(maskIDs: ids, in: db))
        }
    }

    /// The selection with each mask's vector over the atlas it was imported against.
    private func importAtlasData(where filter: FilterExpression) throws -> StudyData {
        try read { db in
            let masks = try Self.masks(where: filter, in: db)
            let ids = masks.map(\.id)
            // Each atlas's regions read once; the default atlas's too, for a selection of no mask.
            var regions: [String: [(label: Int, name: String)]] = [:]
            for atlas in Set(masks.map(\.atlas) + [Atlas.defaultName]) {
                regions[atlas] = try Self.atlasRegions(named: atlas, in: db)
            }
            var vectors: [Int64: StoredVector] = [:]
            for (atlas, masks) in Dictionary(grouping: masks, by: \.atlas) {
                let labels = regions[atlas]!.map(\.label)
                vectors.merge(try Self.densityVectors(maskIDs: masks.map(\.id), labels: labels, path: path, in: db)) { first, _ in first }
            }
            return StudyData(masks: masks, regions: regions, vectors: vectors, evaluations: try Self.evaluations(maskIDs: ids, in: db))
        }
    }

    public func densityVectors(maskIDs: [Int64], labels: [Int]) throws -> [Int64: StoredVector] {
        try read { db in try Self.densityVectors(maskIDs: maskIDs, labels: labels, path: path, in: db) }
    }

    /// The packed vectors (`density_vectors`, one row per mask) of masks over one atlas,
    /// whose `labels` they follow. A vector missing or of another length is a damaged
    /// file, which `verify` names; an analysis of it would be silently wrong.
    static func densityVectors(maskIDs: [Int64], labels: [Int], path: String, in db: Database) throws -> [Int64: StoredVector] {
        let vectors = try densityVectors(maskIDs: maskIDs, labels: labels, atlasID: nil, path: path, in: db)
        if vectors.count < Set(maskIDs).count, let id = maskIDs.first(where: { vectors[$0] == nil }) {
            throw damagedVector(mask: id, path: path, "it has none")
        }
        return vectors
    }

    /// The packed vectors of masks over atlas `atlasID` (nil: each mask's import atlas), by
    /// mask id; a mask without one is left out, for the caller to say what that means.
    static func densityVectors(maskIDs: [Int64], labels: [Int], atlasID: Int64?, path: String, in db: Database) throws -> [Int64: StoredVector] {
        var vectors: [Int64: StoredVector] = [:]
        vectors.reserveCapacity(maskIDs.count)
        let ids = IDSelection(maskIDs)
        let statement = try db.makeStatement(
            sql: atlasID == nil
                ? """
                    SELECT density_vectors.mask_id, density_vectors.densities, density_vectors.voxels
                    FROM density_vectors JOIN masks ON masks.id = density_vectors.mask_id
                        AND masks.atlas_id = density_vectors.atlas_id
                    WHERE \(ids.condition("density_vectors.mask_id"))
                    """
                : """
                    SELECT mask_id, densities, voxels FROM density_vectors
                    WHERE \(ids.condition("mask_id")) AND atlas_id = ?
                    """)
        try statement.setArguments(ids.arguments + (atlasID.map { [$0] } ?? []))
        let sqlite = statement.sqliteStatement
        /// A blob of the row SQLite is on, where SQLite holds it (empty for NULL).
        func blob(_ column: Int32) -> UnsafeRawBufferPointer {
            let start = sqlite3_column_blob(sqlite, column)  // before the length, as SQLite asks
            return UnsafeRawBufferPointer(start: start, count: start == nil ? 0 : Int(sqlite3_column_bytes(sqlite, column)))
        }
        // Masks on one grid have the same voxel counts: one array serves them all (at 50,000
        // masks, 48 MB fewer to allocate and fill).
        var lastVoxels: (bytes: [UInt8], counts: [Int])?
        // GRDB steps the statement (and reports its errors); each row is read where it is.
        let cursor = try Row.fetchCursor(statement)
        while try cursor.next() != nil {
            let id = sqlite3_column_int64(sqlite, 0)
            guard ids.contains(id) else { continue }
            let voxelBytes = blob(2)
            var voxels: [Int]?
            if let last = lastVoxels, voxelBytes.count == last.bytes.count, voxelBytes.count > 0,
                last.bytes.withUnsafeBytes({ memcmp($0.baseAddress!, voxelBytes.baseAddress!, voxelBytes.count) == 0 }) {
                voxels = last.counts
            } else {
                voxels = PackedDensities.voxels(voxelBytes, count: labels.count)
                lastVoxels = voxels.map { (Array(voxelBytes), $0) }
            }
            guard let densities = PackedDensities.densities(blob(1), count: labels.count), let voxels else {
                throw damagedVector(mask: id, path: path, "it does not hold its atlas's \(labels.count) regions")
            }
            vectors[id] = StoredVector(densities: densities, voxels: voxels)
        }
        return vectors
    }

    private static func damagedVector(mask id: Int64, path: String, _ problem: String) -> StoreError {
        .database(path: path, message: "mask \(id)'s stored density vector is damaged (\(problem)); run 'maskdb verify'")
    }

    /// Rows of some ids, selected in SQL. Ids that fill most of their range (a study's masks,
    /// nearly always) are read as the range, in id order, and those not asked for skipped
    /// by `contains` (at 50,000 masks a tenth of the time of looking each id up); sparse
    /// ones are looked up one by one.
    struct IDSelection {
        private let lowest: Int64, highest: Int64
        private let asked: [Bool]?
        private let ids: [Int64]

        init(_ ids: [Int64]) {
            self.ids = ids
            (lowest, highest) = (ids.min() ?? 0, ids.max() ?? -1)
            let span = highest - lowest + 1
            if span > 0 && span <= 2 * Int64(ids.count) {
                var asked = Array(repeating: false, count: Int(span))
                for id in ids { asked[Int(id - lowest)] = true }
                self.asked = asked
            } else {
                asked = nil
            }
        }

        /// The condition on `column`, with `arguments` for its placeholders.
        func condition(_ column: String) -> String {
            asked == nil ? "\(column) IN (SELECT value FROM json_each(?))" : "\(column) BETWEEN ? AND ?"
        }

        var arguments: StatementArguments { asked == nil ? [SQLiteStore.jsonArray(ids)] : [lowest, highest] }

        /// True for an id asked for (always true of the rows a lookup one by one selects).
        func contains(_ id: Int64) -> Bool {
            guard let asked else { return true }
            return id >= lowest && id <= highest && asked[Int(id - lowest)]
        }
    }

    /// Ids as a JSON array, for `IN (SELECT value FROM json_each(?))`: one bound value
    /// however many there are.
    static func jsonArray(_ ids: [Int64]) -> String {
        "[" + ids.map(String.init).joined(separator: ",") + "]"
    }

    public func atlasRegions(named name: String) throws -> [(label: Int, name: String)] {
        try read { db in try Self.atlasRegions(named: name, in: db) }
    }

    static func atlasRegions(named name: String, in db: Database) throws -> [(label: Int, name: String)] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT label, atlas_regions.name FROM atlas_regions JOIN atlases ON atlases.id = atlas_regions.atlas_id
                WHERE atlases.name = ? ORDER BY label
                """, arguments: [name])
        guard !rows.isEmpty else {
            throw StoreError.unknownAtlas(name: name, known: try String.fetchAll(db, sql: "SELECT name FROM atlases ORDER BY name"))
        }
        return rows.map { (label: $0["label"], name: $0["name"]) }
    }

    public func evaluations(maskIDs: [Int64]) throws -> [EvaluationRecord] {
        try read { db in try Self.evaluations(maskIDs: maskIDs, in: db) }
    }

    static func evaluations(maskIDs: [Int64], in db: Database) throws -> [EvaluationRecord] {
        // Most studies record none: no need to look each mask up.
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM evaluations)") == true else { return [] }
        let ids = IDSelection(maskIDs)
        return try EvaluationRecord.fetchAll(
            db,
            sql: """
                SELECT evaluations.mask_id, studies.name AS study, models.fold, models.run, models.name AS model,
                       evaluations.subjects, evaluations.true_label, evaluations.probability, evaluations.n
                FROM evaluations JOIN models ON models.id = evaluations.model_id
                JOIN studies ON studies.id = models.study_id
                WHERE \(ids.condition("evaluations.mask_id"))
                ORDER BY evaluations.id
                """, arguments: ids.arguments
        ).filter { ids.contains($0.maskID) }
    }
}
