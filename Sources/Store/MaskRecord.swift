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
    /// λ1 and λ2 (nil only for an attribution map: they are settings of optimized masks).
    public var lambda1: Double?
    public var lambda2: Double?
    public var beta1: Double?
    public var beta2: Double?
    /// The subject set the mask was optimized on.
    public var subjects: String
    public var semantics: MaskSemantics
    /// How it was made (`gradients`, `grad-cam`...; '' for optimized masks).
    public var method: String
    /// The one subject it explains ('' for a group).
    public var subject: String
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
        id: Int64, sha256: String, study: String, fold: Int, run: Int, model: String, lambda1: Double?, lambda2: Double?,
        beta1: Double?, beta2: Double?, subjects: String, semantics: MaskSemantics, method: String = "", subject: String = "", params: Parameters,
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
        self.method = method
        self.subject = subject
        self.params = params
        self.annotations = annotations
        self.atlas = atlas
        self.source = source
        self.importedAt = importedAt
    }

    /// The columns of a mask's record, as stores name them.
    public enum CodingKeys: String, CodingKey {
        case id, sha256, study, fold, run, model, lambda1, lambda2, beta1, beta2, subjects, semantics, method, subject, params, annotations, atlas
        case source
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
        case .lambda1: lambda1.map { .number($0) } ?? .missing
        case .lambda2: lambda2.map { .number($0) } ?? .missing
        case .beta1: beta1.map { .number($0) } ?? .missing
        case .beta2: beta2.map { .number($0) } ?? .missing
        case .subjects: .text(subjects)
        case .semantics: .text(semantics.rawValue)
        case .kind: .text(semantics.kind.rawValue)
        case .method: .text(method)
        case .subject: .text(subject)
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

extension MaskRecord {
    /// Decodes a record as the history keeps it: records kept before attribution maps have
    /// no method nor subject ('' then, as the migration gave them).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(Int64.self, forKey: .id), sha256: try c.decode(String.self, forKey: .sha256),
            study: try c.decode(String.self, forKey: .study), fold: try c.decode(Int.self, forKey: .fold),
            run: try c.decode(Int.self, forKey: .run), model: try c.decode(String.self, forKey: .model),
            lambda1: try c.decodeIfPresent(Double.self, forKey: .lambda1), lambda2: try c.decodeIfPresent(Double.self, forKey: .lambda2),
            beta1: try c.decodeIfPresent(Double.self, forKey: .beta1), beta2: try c.decodeIfPresent(Double.self, forKey: .beta2),
            subjects: try c.decode(String.self, forKey: .subjects), semantics: try c.decode(MaskSemantics.self, forKey: .semantics),
            method: try c.decodeIfPresent(String.self, forKey: .method) ?? "", subject: try c.decodeIfPresent(String.self, forKey: .subject) ?? "",
            params: try c.decode(Parameters.self, forKey: .params), annotations: try c.decodeIfPresent(Parameters.self, forKey: .annotations) ?? Parameters(),
            atlas: try c.decode(String.self, forKey: .atlas), source: try c.decode(String.self, forKey: .source),
            importedAt: try c.decode(String.self, forKey: .importedAt))
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
