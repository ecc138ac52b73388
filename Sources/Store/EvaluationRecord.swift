/// A recorded evaluation with the fields that place it: the evaluated mask and the
/// evaluating model.
public struct EvaluationRecord: Sendable, Equatable, Codable {
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

    /// A record.
    public init(
        maskID: Int64, study: String, fold: Int, run: Int, model: String, subjects: String, trueLabel: String,
        probability: Double, n: Int?
    ) {
        self.maskID = maskID
        self.study = study
        self.fold = fold
        self.run = run
        self.model = model
        self.subjects = subjects
        self.trueLabel = trueLabel
        self.probability = probability
        self.n = n
    }

    /// The columns of an evaluation's record, as stores name them.
    public enum CodingKeys: String, CodingKey {
        case maskID = "mask_id"
        case study, fold, run, model, subjects
        case trueLabel = "true_label"
        case probability, n
    }
}

/// A mask's stored density vector, in the atlas's ascending label order.
public struct StoredVector: Sendable, Equatable {
    /// Per region, the mean perturbation; nil when the region has no voxel on the mask's grid.
    public var densities: [Double?]
    /// Per region, its voxel count on the mask's grid.
    public var voxels: [Int]

    /// A vector.
    public init(densities: [Double?], voxels: [Int]) {
        self.densities = densities
        self.voxels = voxels
    }
}

/// The masks a selection names and what the analyses read of them, read together.
public struct StudyData: Sendable {
    /// The masks, by id.
    public var masks: [MaskRecord]
    /// The regions (ascending labels) of each atlas the masks use, and of the default atlas.
    public var regions: [String: [(label: Int, name: String)]]
    /// Each mask's density vector over its atlas's regions, by mask id.
    public var vectors: [Int64: StoredVector]
    /// Every evaluation of the masks, in the order they were recorded.
    public var evaluations: [EvaluationRecord]

    /// The data of a selection.
    public init(
        masks: [MaskRecord], regions: [String: [(label: Int, name: String)]], vectors: [Int64: StoredVector],
        evaluations: [EvaluationRecord]
    ) {
        self.masks = masks
        self.regions = regions
        self.vectors = vectors
        self.evaluations = evaluations
    }
}
