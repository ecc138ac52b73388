import Atlas
import GRDB
import Store
import StudyCore

extension SQLiteStore {
    public func studyData(where filter: FilterExpression) throws -> StudyData {
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
                vectors.merge(try Self.densityVectors(maskIDs: masks.map(\.id), labels: labels, in: db)) { first, _ in first }
            }
            return StudyData(masks: masks, regions: regions, vectors: vectors, evaluations: try Self.evaluations(maskIDs: ids, in: db))
        }
    }

    public func densityVectors(maskIDs: [Int64], labels: [Int]) throws -> [Int64: StoredVector] {
        try read { db in try Self.densityVectors(maskIDs: maskIDs, labels: labels, in: db) }
    }

    // A label without a stored density is a damaged file, as `verify` says.
    static func densityVectors(maskIDs: [Int64], labels: [Int], in db: Database) throws -> [Int64: StoredVector] {
        let position = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let empty = StoredVector(densities: Array(repeating: nil, count: labels.count), voxels: Array(repeating: 0, count: labels.count))
        var vectors = Dictionary(maskIDs.map { ($0, empty) }, uniquingKeysWith: { first, _ in first })
        let cursor = try Row.fetchCursor(
            db,
            sql: """
                SELECT mask_densities.mask_id, mask_densities.label, mask_densities.density, mask_densities.voxels
                FROM mask_densities JOIN masks ON masks.id = mask_densities.mask_id
                    AND masks.atlas_id = mask_densities.atlas_id
                WHERE mask_densities.mask_id IN (SELECT value FROM json_each(?))
                """, arguments: [jsonArray(maskIDs)])
        // Rows come mask by mask (the primary key's order): one mask's vector is filled in a
        // local and stored when the next begins, columns read by position. (Per row, a
        // dictionary lookup and columns by name cost 4x SQLite's own work at 50,000 masks.)
        var current: (id: Int64, vector: StoredVector)?
        while let row = try cursor.next() {
            let id: Int64 = row[0]
            if current?.id != id {
                if let current { vectors[current.id] = current.vector }
                guard let stored = vectors[id] else { current = nil; continue }
                current = (id, stored)
            }
            guard let index = position[row[1] as Int] else { continue }
            current!.vector.densities[index] = row[2]
            current!.vector.voxels[index] = row[3]
        }
        if let current { vectors[current.id] = current.vector }
        return vectors
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
        try EvaluationRecord.fetchAll(
            db,
            sql: """
                SELECT evaluations.mask_id, studies.name AS study, models.fold, models.run, models.name AS model,
                       evaluations.subjects, evaluations.true_label, evaluations.probability, evaluations.n
                FROM evaluations JOIN models ON models.id = evaluations.model_id
                JOIN studies ON studies.id = models.study_id
                WHERE evaluations.mask_id IN (SELECT value FROM json_each(?))
                ORDER BY evaluations.id
                """, arguments: [jsonArray(maskIDs)])
    }
}
