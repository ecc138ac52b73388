/// A field a study varies or records: the one list of names that manifests, `--where`,
/// `--by`, the analyses and the reports all use. Every other list of fields is derived
/// from it, so adding a setting is one case here (with its metadata below) plus its
/// column in each backend's schema.
public enum StudyField: Hashable, Sendable {
    /// A record's id in the database.
    case id
    /// The sha256 of a mask's stored NIfTI file.
    case sha256
    case study, fold, run
    /// A model's name within its fold and run ('' when there is one model).
    case model
    /// A model's architecture.
    case architecture
    case lambda1, lambda2, beta1, beta2
    /// The subject set a mask was optimized on.
    case subjects
    /// `keep` or `perturb`: how a mask was saved; `attribution` for an attribution map.
    case semantics
    /// `mask` or `attribution`, which the semantics decide: masks and maps never pair.
    case kind
    /// How a record was made: `gradients`, `grad-cam`... ('' for optimized masks).
    case method
    /// The one subject (and session) a map explains, e.g. `sub-003_ses-M000` ('' for a group).
    case subject
    /// The atlas a mask's densities are over.
    case atlas
    /// A setting of the lab's own, `params.NAME` (a manifest column `setting.NAME` or
    /// `params.NAME`): pairs of masks agree on it, as on every setting.
    case parameter(String)
    /// A mask's annotation, `annotation.NAME`: any manifest column maskdb does not know
    /// (a job id, a date, a git SHA), kept as written and never splitting pairs.
    case annotation(String)
    /// A model's metric on a dataset, `metric.DATASET.NAME` (e.g. `metric.AIBL-test.balanced_accuracy`).
    case metric(dataset: String, name: String)

    /// What a field is to a record.
    public enum Role: Sendable {
        /// Names a record in the database: id, sha256.
        case record
        /// Identifies a model: two masks with equal values share it.
        case model
        /// Describes a model without identifying it.
        case modelDetail
        /// Part of a mask's identity: pairs of masks agree on every setting but the one compared.
        case setting
        /// How a mask was saved, not what produced it: densities are of the perturbation
        /// either way, so pairs ignore it.
        case convention
        /// A setting of the lab's own.
        case parameter
        /// A note on a record: shown and filterable, never part of its identity.
        case annotation
        /// A model's performance on a dataset.
        case metric
    }

    /// How a field's values are compared, which decides how literals are read.
    public enum Kind: Sendable {
        /// Whole numbers (fold, run, id).
        case integer
        /// Numbers, bound as doubles.
        case number
        /// Text; a number literal is kept as written.
        case text
        /// A parameter: a number when compared with numbers, text otherwise.
        case open
    }

    /// Every field but parameters, in the order tables list them.
    public static let named: [StudyField] = [
        .id, .sha256, .study, .fold, .run, .model, .architecture, .lambda1, .lambda2, .beta1, .beta2,
        .subjects, .semantics, .kind, .method, .subject, .atlas,
    ]

    /// The prefix of parameter fields.
    public static let parameterPrefix = "params."

    /// The prefix of metric fields.
    public static let metricPrefix = "metric."

    /// The prefix of annotation fields.
    public static let annotationPrefix = "annotation."

    /// Another spelling of `params.` in manifests and expressions: `setting.optimizer`
    /// declares a setting of the lab's own, and reads as `params.optimizer`.
    public static let settingPrefix = "setting."

    /// The name users write, in manifests and expressions: `lambda1`, `params.lr`.
    public var name: String {
        switch self {
        case .id: "id"
        case .sha256: "sha256"
        case .study: "study"
        case .fold: "fold"
        case .run: "run"
        case .model: "model"
        case .architecture: "architecture"
        case .lambda1: "lambda1"
        case .lambda2: "lambda2"
        case .beta1: "beta1"
        case .beta2: "beta2"
        case .subjects: "subjects"
        case .semantics: "semantics"
        case .kind: "kind"
        case .method: "method"
        case .subject: "subject"
        case .atlas: "atlas"
        case .parameter(let name): Self.parameterPrefix + name
        case .annotation(let name): Self.annotationPrefix + name
        case let .metric(dataset, name): Self.metricPrefix + dataset + "." + name
        }
    }

    /// How people read it in tables, figures and reports: `λ1`, `fold`.
    public var label: String {
        switch self {
        case .lambda1: "λ1"
        case .lambda2: "λ2"
        case .beta1: "β1"
        case .beta2: "β2"
        default: name
        }
    }

    /// How its values compare.
    public var kind: Kind {
        switch self {
        case .id, .fold, .run: .integer
        case .lambda1, .lambda2, .beta1, .beta2: .number
        case .sha256, .study, .model, .architecture, .subjects, .semantics, .kind, .method, .subject, .atlas: .text
        case .parameter, .annotation: .open
        case .metric: .number
        }
    }

    /// What it is to a record.
    public var role: Role {
        switch self {
        case .id, .sha256: .record
        case .study, .fold, .run, .model: .model
        case .architecture: .modelDetail
        case .lambda1, .lambda2, .beta1, .beta2, .subjects, .kind, .method, .subject, .atlas: .setting
        case .semantics: .convention
        case .parameter: .parameter
        case .annotation: .annotation
        case .metric: .metric
        }
    }

    /// True for number and whole-number fields.
    public var isNumeric: Bool { kind == .integer || kind == .number }

    /// The fields that identify a model.
    public static let modelIdentity = named.filter { $0.role == .model }

    /// The settings a report's main setting fixes: every mask setting but the atlas, which
    /// all of a report's masks share.
    public static let mainSettings = named.filter { $0.role == .setting && $0 != .atlas }

    /// The fields analyses group and compare masks by (`--by`, `--rows`, `--cols`), besides
    /// parameters: the settings a study varies, and the runs and folds of its models.
    public static let compared: [StudyField] = mainSettings.filter { $0 != .subjects } + [.run, .fold, .subjects]

    /// True when analyses may group and compare by this field.
    public var isCompared: Bool {
        switch self {
        case .parameter, .annotation: true
        default: Self.compared.contains(self)
        }
    }

    /// The fields a recorded mask has (besides parameters).
    public static let maskFields = named.filter { $0 != .architecture }

    /// The settings of optimized masks alone: an attribution map may have none, so an axis
    /// of one has no place for it.
    public static let maskOnlySettings: [StudyField] = [.lambda1, .lambda2]

    /// The settings that tell attribution maps apart (their kind, method and subject): a
    /// study of masks alone has one value of each, so reports name them only where they vary.
    public static let mapSettings: [StudyField] = [.kind, .method, .subject]

    /// The fields a recorded model has (besides parameters).
    public static let modelFields = [.id] + named.filter { $0.role == .model || $0.role == .modelDetail }

    /// The field `name` spells (`lambda1`, `params.lr` or `setting.lr`, `annotation.job`),
    /// nil for any other text. A parameter's or annotation's name is `[A-Za-z0-9_][A-Za-z0-9_.-]*`.
    public init?(name: String) {
        if let field = Self.named.first(where: { $0.name == name }) {
            self = field
        } else if let parameter = Self.suffix(of: name, after: [Self.parameterPrefix, Self.settingPrefix]) {
            self = .parameter(parameter)
        } else if let annotation = Self.suffix(of: name, after: [Self.annotationPrefix]) {
            self = .annotation(annotation)
        } else {
            return nil
        }
    }

    /// The name after one of `prefixes`, when it is a valid parameter name.
    private static func suffix(of text: String, after prefixes: [String]) -> String? {
        for prefix in prefixes where text.hasPrefix(prefix) && isParameterName(text.dropFirst(prefix.count)) {
            return String(text.dropFirst(prefix.count))
        }
        return nil
    }

    /// The metric a `metric.DATASET.NAME` spells: the last part names the metric, the rest
    /// after `metric.` the dataset (which may hold dots); nil for anything else.
    public static func metric(named text: String) -> StudyField? {
        guard text.hasPrefix(metricPrefix) else { return nil }
        let parts = text.dropFirst(metricPrefix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts.allSatisfy({ !$0.isEmpty && isParameterName($0) }) else { return nil }
        return .metric(dataset: parts.dropLast().joined(separator: "."), name: String(parts.last!))
    }

    /// `[A-Za-z0-9_][A-Za-z0-9_.-]*`
    public static func isParameterName(_ name: Substring) -> Bool {
        func isPlain(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                true
            default: false
            }
        }
        guard let first = name.utf8.first, isPlain(first) else { return false }
        return name.utf8.allSatisfy { isPlain($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }
}

extension StudyField: Comparable {
    /// By name, so that groupings keyed by several fields list them alphabetically.
    public static func < (lhs: StudyField, rhs: StudyField) -> Bool { lhs.name < rhs.name }
}

extension StudyField: CustomStringConvertible {
    public var description: String { name }
}
