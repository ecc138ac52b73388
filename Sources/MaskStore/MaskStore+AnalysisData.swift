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
    /// The density vectors of the given masks over their atlas's `labels` (ascending), by
    /// mask id. A label without a stored density (a damaged file, as `verify` says) reads
    /// as nil with 0 voxels, so every vector stays aligned with `labels`.
    public func densityVectors(maskIDs: [Int64], labels: [Int]) throws -> [Int64: StoredVector] {
        let position = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let empty = StoredVector(densities: Array(repeating: nil, count: labels.count), voxels: Array(repeating: 0, count: labels.count))
        var vectors = Dictionary(maskIDs.map { ($0, empty) }, uniquingKeysWith: { first, _ in first })
        try read { db in
            let cursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT mask_densities.mask_id, mask_densities.label, mask_densities.density, mask_densities.voxels
                    FROM mask_densities JOIN masks ON masks.id = mask_densities.mask_id
                        AND masks.atlas_id = mask_densities.atlas_id
                    WHERE mask_densities.mask_id IN (SELECT value FROM json_each(?))
                    """, arguments: [Self.jsonArray(maskIDs)])
            while let row = try cursor.next() {
                let id: Int64 = row[0]
                guard let index = position[row[1]] else { continue }
                vectors[id]?.densities[index] = row[2]
                vectors[id]?.voxels[index] = row[3]
            }
        }
        return vectors
    }

    /// Ids as a JSON array, for `IN (SELECT value FROM json_each(?))`: one bound value
    /// however many there are.
    static func jsonArray(_ ids: [Int64]) -> String {
        "[" + ids.map(String.init).joined(separator: ",") + "]"
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
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT evaluations.mask_id, studies.name, models.fold, models.run, models.name,
                           evaluations.subjects, evaluations.true_label, evaluations.probability, evaluations.n
                    FROM evaluations JOIN models ON models.id = evaluations.model_id
                    JOIN studies ON studies.id = models.study_id
                    WHERE evaluations.mask_id IN (SELECT value FROM json_each(?))
                    ORDER BY evaluations.id
                    """, arguments: [Self.jsonArray(maskIDs)]
            ).map { row in
                EvaluationRecord(
                    maskID: row[0], study: row[1], fold: row[2], run: row[3], model: row[4], subjects: row[5],
                    trueLabel: row[6], probability: row[7], n: row[8])
            }
        }
    }
}
