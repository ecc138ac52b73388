import StudyCore

/// What the analyses need of one recorded mask: its context, its settings and its
/// density vector (one entry per atlas region, in ascending label order).
public struct MaskSample: Sendable, Equatable {
    /// The mask's record id.
    public var id: Int64
    /// Its fields: its model's study, fold, run and name, its settings, semantics and
    /// parameters (every `StudyField` a mask has but its id and sha256).
    public var settings: [StudyField: SettingValue] {
        didSet { fields = SampleFields(settings.keys.sorted()) }
    }
    /// Per region, the mean perturbation; nil when the region has no voxel on the mask's grid.
    public var densities: [Double?]
    /// Per region, its voxel count on the mask's grid.
    public var voxels: [Int]
    /// The fields `settings` has, shared by the samples that have the same ones: what
    /// fields a study's samples have is then found once per set, not once per sample.
    public private(set) var fields: SampleFields

    /// A sample; `fields` must be `settings`' keys (made from them when nil).
    public init(id: Int64, settings: [StudyField: SettingValue], densities: [Double?], voxels: [Int], fields: SampleFields? = nil) {
        self.id = id
        self.settings = settings
        self.densities = densities
        self.voxels = voxels
        self.fields = fields ?? SampleFields(settings.keys.sorted())
    }

    public static func == (a: MaskSample, b: MaskSample) -> Bool {
        a.id == b.id && a.settings == b.settings && a.densities == b.densities && a.voxels == b.voxels
    }

    /// The value of `field` (`.missing` when the mask has no such setting).
    public subscript(field: StudyField) -> SettingValue { settings[field] ?? .missing }

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
}

/// The fields of samples that have the same ones.
public final class SampleFields: Sendable {
    public let list: [StudyField]

    public init(_ list: [StudyField]) { self.list = list }
}

/// One evaluation: the probability a model gave to inputs masked by a mask.
public struct EvaluationSample: Sendable, Equatable {
    /// The evaluated mask's record id.
    public var maskID: Int64
    /// The mask's settings (as in `MaskSample.settings`, including its model's fold and run).
    public var mask: [StudyField: SettingValue]
    /// The evaluating model's fields: `study`, `fold`, `run`, `model`.
    public var evaluator: [StudyField: SettingValue]
    /// The subject set and true label the probability is for.
    public var subjects: String
    public var trueLabel: String
    /// The probability of the true class.
    public var probability: Double

    /// An evaluation.
    public init(maskID: Int64, mask: [StudyField: SettingValue], evaluator: [StudyField: SettingValue], subjects: String, trueLabel: String, probability: Double) {
        self.maskID = maskID
        self.mask = mask
        self.evaluator = evaluator
        self.subjects = subjects
        self.trueLabel = trueLabel
        self.probability = probability
    }

    /// True when the evaluating model is the mask's own model.
    public var isOwnModel: Bool { agrees(on: StudyField.modelIdentity) }

    /// True when the mask's model and the evaluating model have equal `fields`.
    public func agrees(on fields: [StudyField]) -> Bool {
        fields.allSatisfy { (mask[$0] ?? .missing) == (evaluator[$0] ?? .missing) }
    }
}
