import GRDB

/// A recorded evaluation with the fields that place it: the evaluated mask and the
/// evaluating model.
public struct EvaluationRecord: Sendable, Equatable {
    public var maskID: Int64
    /// The evaluating model's study, fold, run and name.
    public var study: String
    public var fold: Int
    public var run: Int
    public var model: String
    public var subjects: String
    public var trueLabel: String
    public var probability: Double
    public var n: Int?
}

/// A mask's stored density vector, in the atlas's ascending label order.
public struct StoredVector: Sendable, Equatable {
    public var densities: [Double?]
    public var voxels: [Int]
}

extension MaskStore {
    /// The density vectors of the given masks, by mask id, in one pass over the table.
    public func densityVectors(maskIDs: [Int64]) throws -> [Int64: StoredVector] {
        let wanted = Set(maskIDs)
        return try read { db in
            var vectors: [Int64: StoredVector] = [:]
            let cursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT mask_densities.mask_id, mask_densities.density, mask_densities.voxels
                    FROM mask_densities JOIN masks ON masks.id = mask_densities.mask_id
                        AND masks.atlas_id = mask_densities.atlas_id
                    ORDER BY mask_densities.mask_id, mask_densities.label
                    """)
            while let row = try cursor.next() {
                let id: Int64 = row[0]
                guard wanted.contains(id) else { continue }
                vectors[id, default: StoredVector(densities: [], voxels: [])].densities.append(row[1])
                vectors[id]!.voxels.append(row[2])
            }
            return vectors
        }
    }

    /// The regions of an atlas, in ascending label order.
    public func atlasRegions(named name: String) throws -> [(label: Int, name: String)] {
        let rows = try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT label, atlas_regions.name FROM atlas_regions JOIN atlases ON atlases.id = atlas_regions.atlas_id
                    WHERE atlases.name = ? ORDER BY label
                    """, arguments: [name])
        }
        guard !rows.isEmpty else { throw StoreError.unknownAtlas(name: name, known: try atlasNames()) }
        return rows.map { (label: $0[0], name: $0[1]) }
    }

    /// Every evaluation of the given masks.
    public func evaluations(maskIDs: [Int64]) throws -> [EvaluationRecord] {
        let wanted = Set(maskIDs)
        return try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT evaluations.mask_id, studies.name, models.fold, models.run, models.name,
                           evaluations.subjects, evaluations.true_label, evaluations.probability, evaluations.n
                    FROM evaluations JOIN models ON models.id = evaluations.model_id
                    JOIN studies ON studies.id = models.study_id
                    ORDER BY evaluations.id
                    """
            ).compactMap { row in
                let maskID: Int64 = row[0]
                guard wanted.contains(maskID) else { return nil }
                return EvaluationRecord(
                    maskID: maskID, study: row[1], fold: row[2], run: row[3], model: row[4], subjects: row[5],
                    trueLabel: row[6], probability: row[7], n: row[8])
            }
        }
    }
}
