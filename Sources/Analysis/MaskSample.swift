import StudyCore

/// What the analyses need of one recorded mask: its context, its settings and its
/// density vector (one entry per atlas region, in ascending label order).
public struct MaskSample: Sendable, Equatable {
    /// The mask's record id.
    public var id: Int64
    /// Which fields it has, shared by the samples that have the same ones, and their
    /// values in that order: the analyses find a field's position once per set of fields
    /// (`FieldReader`), not by hashing it in every sample (most of a query at 50,000 masks).
    public private(set) var fields: SampleFields
    public private(set) var values: [SettingValue]
    /// Per region, the mean perturbation; nil when the region has no voxel on the mask's grid.
    public var densities: [Double?]
    /// Per region, its voxel count on the mask's grid.
    public var voxels: [Int]

    /// A sample with `values` for `fields`, in its order.
    public init(id: Int64, fields: SampleFields, values: [SettingValue], densities: [Double?], voxels: [Int]) {
        precondition(values.count == fields.list.count, "a value for each field")
        self.id = id
        self.fields = fields
        self.values = values
        self.densities = densities
        self.voxels = voxels
    }

    /// A sample with `settings`.
    public init(id: Int64, settings: [StudyField: SettingValue], densities: [Double?], voxels: [Int]) {
        let fields = settings.keys.sorted()
        self.init(id: id, fields: SampleFields(fields), values: fields.map { settings[$0]! }, densities: densities, voxels: voxels)
    }

    /// Its fields: its model's study, fold, run and name, its settings, semantics and
    /// parameters (every `StudyField` a mask has but its id and sha256).
    public var settings: [StudyField: SettingValue] {
        get { Dictionary(uniqueKeysWithValues: zip(fields.list, values)) }
        set {
            let keys = newValue.keys.sorted()
            fields = SampleFields(keys)
            values = keys.map { newValue[$0]! }
        }
    }

    public static func == (a: MaskSample, b: MaskSample) -> Bool {
        a.id == b.id && a.settings == b.settings && a.densities == b.densities && a.voxels == b.voxels
    }

    /// The value of `field` (`.missing` when the mask has no such setting).
    public subscript(field: StudyField) -> SettingValue { FieldReader.value(values, at: fields.position(of: field)) }

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

extension Array<MaskSample> {
    /// True when the samples do not all have one value of `field` (none or one sample: false).
    public func vary(in field: StudyField) -> Bool {
        var reader = FieldReader([field])
        guard !isEmpty else { return false }
        let first = reader.value(of: self[0])
        for index in indices.dropFirst() where reader.value(of: self[index]) != first { return true }
        return false
    }

    /// The distinct values of `field` among the samples, ascending.
    public func distinct(_ field: StudyField) -> [SettingValue] {
        var reader = FieldReader([field])
        var values = Set<SettingValue>()
        for index in indices {
            let value = reader.value(of: self[index])
            if !values.contains(value) { values.insert(value) }
        }
        return values.sorted()
    }
}

/// The fields of samples that have the same ones, each once.
public final class SampleFields: Sendable {
    public let list: [StudyField]
    private let positions: [StudyField: Int]

    public init(_ list: [StudyField]) {
        self.list = list
        positions = Dictionary(list.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Where `field` is in `list`.
    public func position(of field: StudyField) -> Int? { positions[field] }
}

/// Reads the values of some fields off samples, finding their positions once per set of
/// fields the samples have (one, for a study's masks, nearly always).
public struct FieldReader {
    public let fields: [StudyField]
    private var last: SampleFields?
    private var positions: [Int?] = []

    public init(_ fields: [StudyField]) { self.fields = fields }

    /// The sample's values of `fields`, in order (`.missing` for a field it lacks).
    public mutating func values(of sample: MaskSample) -> [SettingValue] { values(of: sample.fields, sample.values) }

    /// The values of `fields` among `values` of the fields `list`.
    public mutating func values(of list: SampleFields, _ values: [SettingValue]) -> [SettingValue] {
        locate(in: list)
        return positions.map { FieldReader.value(values, at: $0) }
    }

    /// The sample's value of the first of `fields`.
    public mutating func value(of sample: MaskSample) -> SettingValue {
        locate(in: sample.fields)
        return FieldReader.value(sample.values, at: positions[0])
    }

    /// The value at `position` among `values` (`.missing` at none). Read without a closure,
    /// which would capture (retain) the array: shared by many samples, its count would be
    /// contended by the cores reading it.
    @inline(__always)
    public static func value(_ values: [SettingValue], at position: Int?) -> SettingValue {
        guard let position else { return .missing }
        return values[position]
    }

    /// Where each of `fields` is among the values of samples with the fields `list` (nil: it lacks it).
    public mutating func positions(in list: SampleFields) -> [Int?] {
        locate(in: list)
        return positions
    }

    private mutating func locate(in list: SampleFields) {
        guard list !== last else { return }
        last = list
        positions = fields.map(list.position)
    }
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
