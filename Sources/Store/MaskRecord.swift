import Formatting
import StudyCore

/// A recorded mask with its model's study, fold and run.
public struct MaskRecord: Sendable, Equatable, Codable {
    public var id: Int64
    /// The sha256 of the stored NIfTI file.
    public var sha256: String
    public var study: String
    public var fold: Int
    public var run: Int
    /// The model's name within its fold and run ('' when there is one model).
    public var model: String
    public var lambda1: Double
    public var lambda2: Double
    public var beta1: Double?
    public var beta2: Double?
    /// The subject set the mask was optimized on.
    public var subjects: String
    public var semantics: MaskSemantics
    /// The lab's own settings (`params.NAME`).
    public var params: Parameters
    /// Its annotations (`annotation.NAME`): notes that never split pairs.
    public var annotations: Parameters
    /// The atlas its densities are over.
    public var atlas: String
    /// The file it was imported from.
    public var source: String
    /// When it was imported (ISO 8601).
    public var importedAt: String

    /// A record.
    public init(
        id: Int64, sha256: String, study: String, fold: Int, run: Int, model: String, lambda1: Double, lambda2: Double,
        beta1: Double?, beta2: Double?, subjects: String, semantics: MaskSemantics, params: Parameters,
        annotations: Parameters = Parameters(), atlas: String, source: String, importedAt: String
    ) {
        self.id = id
        self.sha256 = sha256
        self.study = study
        self.fold = fold
        self.run = run
        self.model = model
        self.lambda1 = lambda1
        self.lambda2 = lambda2
        self.beta1 = beta1
        self.beta2 = beta2
        self.subjects = subjects
        self.semantics = semantics
        self.params = params
        self.annotations = annotations
        self.atlas = atlas
        self.source = source
        self.importedAt = importedAt
    }

    /// The columns of a mask's record, as stores name them.
    public enum CodingKeys: String, CodingKey {
        case id, sha256, study, fold, run, model, lambda1, lambda2, beta1, beta2, subjects, semantics, params, annotations, atlas, source
        case importedAt = "imported_at"
    }

    /// The value of `field` (`.missing` for a field masks do not have, or a parameter this one lacks).
    public subscript(field: StudyField) -> SettingValue {
        switch field {
        case .id: .number(Double(id))
        case .sha256: .text(sha256)
        case .study: .text(study)
        case .fold: .number(Double(fold))
        case .run: .number(Double(run))
        case .model: .text(model)
        case .architecture: .missing
        case .lambda1: .number(lambda1)
        case .lambda2: .number(lambda2)
        case .beta1: beta1.map { .number($0) } ?? .missing
        case .beta2: beta2.map { .number($0) } ?? .missing
        case .subjects: .text(subjects)
        case .semantics: .text(semantics.rawValue)
        case .atlas: .text(atlas)
        case .parameter(let name): params.values[name].map(SettingValue.init) ?? .missing
        case .annotation(let name): annotations.values[name].map(SettingValue.init) ?? .missing
        case .metric: .missing
        }
    }

    /// The named fields `settings` always has (a parameter or annotation only when set).
    public static let settingFields = StudyField.maskFields.filter { $0.role != .record }

    /// Every field the analyses see of a mask: the model's identity, the settings, the
    /// semantics, each parameter and each annotation (not the record's id and sha256).
    public var settings: [StudyField: SettingValue] {
        var settings: [StudyField: SettingValue] = [:]
        settings.reserveCapacity(Self.settingFields.count + params.values.count + annotations.values.count)
        for field in Self.settingFields { settings[field] = self[field] }
        for (name, value) in params.values { settings[.parameter(name)] = SettingValue(value) }
        for (name, value) in annotations.values { settings[.annotation(name)] = SettingValue(value) }
        return settings
    }
}

extension SettingValue {
    /// A parameter's or annotation's value as a setting: a number when its text reads as
    /// one (so `0.001` and `1e-3` are one setting, and sort as numbers), else its text.
    public init(_ value: Parameters.Value) {
        switch value {
        case .number(let n): self = .number(n)
        case .text(let t): self = NumberText.decimal(t).map(SettingValue.number) ?? .text(t)
        }
    }
}
