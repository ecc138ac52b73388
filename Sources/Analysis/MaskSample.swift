/// What the analyses need of one recorded mask: its context, its settings and its
/// density vector (one entry per atlas region, in ascending label order).
public struct MaskSample: Sendable, Equatable {
    /// The mask's record id.
    public var id: Int64
    /// Its settings by field name: `study`, `fold`, `run`, `model`, `lambda1`, `lambda2`,
    /// `beta1`, `beta2`, `subjects`, `semantics`, `atlas` and `params.NAME`.
    public var settings: [String: SettingValue]
    /// Per region, the mean perturbation; nil when the region has no voxel on the mask's grid.
    public var densities: [Double?]
    /// Per region, its voxel count on the mask's grid.
    public var voxels: [Int]

    /// A sample.
    public init(id: Int64, settings: [String: SettingValue], densities: [Double?], voxels: [Int]) {
        self.id = id
        self.settings = settings
        self.densities = densities
        self.voxels = voxels
    }

    /// The value of `field` (`.missing` when the mask has no such setting).
    public subscript(field: String) -> SettingValue { settings[field] ?? .missing }

    /// The mean perturbation over every atlas voxel: region densities weighted by voxel counts.
    public var meanDensity: Double? { density(over: densities.indices) }

    /// The mean perturbation over the regions at `indices`, weighted by their voxel counts;
    /// nil when none of them has a voxel.
    public func density(over indices: some Sequence<Int>) -> Double? {
        var total = 0.0, count = 0, regions = 0, last = 0.0
        for index in indices {
            guard let density = densities[index], voxels[index] > 0 else { continue }
            total += density * Double(voxels[index])
            count += voxels[index]
            regions += 1
            last = density
        }
        // One region's density is its own, not d * v / v (which can differ in the last bit).
        return count == 0 ? nil : regions == 1 ? last : total / Double(count)
    }

    /// The fields that identify a model: two masks with equal values share it.
    public static let modelFields = ["study", "fold", "run", "model"]

    /// Fields that say how a mask was saved, not what produced it: two masks are
    /// compared whatever their semantics, since densities are of the perturbation either way.
    public static let conventionFields: Set<String> = ["semantics"]
}

/// One evaluation: the probability a model gave to inputs masked by a mask.
public struct EvaluationSample: Sendable, Equatable {
    /// The evaluated mask's record id.
    public var maskID: Int64
    /// The mask's settings (as in `MaskSample.settings`, including its model's fold and run).
    public var mask: [String: SettingValue]
    /// The evaluating model's fields: `study`, `fold`, `run`, `model`.
    public var evaluator: [String: SettingValue]
    /// The subject set and true label the probability is for.
    public var subjects: String
    public var trueLabel: String
    /// The probability of the true class.
    public var probability: Double

    /// An evaluation.
    public init(maskID: Int64, mask: [String: SettingValue], evaluator: [String: SettingValue], subjects: String, trueLabel: String, probability: Double) {
        self.maskID = maskID
        self.mask = mask
        self.evaluator = evaluator
        self.subjects = subjects
        self.trueLabel = trueLabel
        self.probability = probability
    }

    /// True when the evaluating model is the mask's own model.
    public var isOwnModel: Bool { agrees(on: MaskSample.modelFields) }

    /// True when the mask's model and the evaluating model have equal `fields`.
    public func agrees(on fields: [String]) -> Bool {
        fields.allSatisfy { (mask[$0] ?? .missing) == (evaluator[$0] ?? .missing) }
    }
}
