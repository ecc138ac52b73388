import Analysis
import StudyCore

/// The settings `maskdb report --main` fixes: equalities on `StudyField.mainSettings`
/// (`lambda1=0.01 and lambda2=0.001`, or one per `--main`). The report chooses the
/// settings it does not fix as it would with none: the one shared by the most models.
public struct MainSettingRequest: Sendable, Equatable {
    /// The values fixed, by field.
    public var values: [StudyField: SettingValue]

    /// A request fixing `values` (none: every setting chosen automatically).
    public init(_ values: [StudyField: SettingValue] = [:]) {
        self.values = values
    }

    /// Reads each text as `FIELD=VALUE` equalities joined by `and`, values written as in
    /// `--where`; a field may be given once.
    public static func parse(_ texts: [String]) throws -> MainSettingRequest {
        var values: [StudyField: SettingValue] = [:]
        for text in texts {
            let parsed = try FilterExpression.parse(text, fields: StudyField.mainSettings, parameters: false)
            let operands: [FilterExpression]
            if case .and(let parts) = parsed { operands = parts } else { operands = [parsed] }
            for operand in operands {
                guard case let .compare(field, .equal, value) = operand else { throw StudyError.mainNotEqualities(text) }
                guard values[field] == nil else { throw StudyError.mainGivenTwice(field) }
                switch value {
                case .number(let number): values[field] = .number(number)
                case .text(let text): values[field] = .text(text)
                }
            }
        }
        return MainSettingRequest(values)
    }
}

/// The main setting a report's per-setting sections use, and how it was chosen.
struct MainSettingChoice: Sendable {
    /// One value per `StudyField.mainSettings` field.
    var setting: [SettingValue]
    /// The fields `--main` gave, in `mainSettings` order.
    var given: [StudyField]
    /// How many models have masks at the setting, of how many the masks have.
    var models: Int
    var allModels: Int
    /// The kind, method and subject, when the masks differ in them: named only then (a study
    /// of masks alone has one of each, and its reports read as before).
    var namedMapSettings: Set<StudyField>

    /// The choice among `samples`: the values `request` gives (each must be one some mask
    /// has, among those with the values given before it), the others those of the setting
    /// most models share, ties going to the smallest values (in `mainSettings` order).
    init(_ samples: [MaskSample], request: MainSettingRequest, selected: Bool) throws {
        var candidates = samples
        var fixed: [(StudyField, SettingValue)] = []
        for field in StudyField.mainSettings {
            guard let value = request.values[field] else { continue }
            let matching = candidates.filter { $0[field] == value }
            guard !matching.isEmpty else {
                throw StudyError.mainNotRecorded(
                    field: field, value: value, with: fixed.map { "\($0.0.name) = \($0.1)" }, selected: selected,
                    recorded: Set(candidates.map { $0[field] }).sorted().map(Self.written))
            }
            candidates = matching
            fixed.append((field, value))
        }
        // Candidates grouped by setting and model at once (keys read in place, no array per
        // mask): a setting's groups are its models.
        var models: [[SettingValue]: Int] = [:]
        for group in Pairing.groupIndices(candidates, by: StudyField.mainSettings + Self.modelFields) {
            models[Self.setting(of: candidates[group[0]]), default: 0] += 1
        }
        setting = models.keys.sorted { a, b in
            models[a]! != models[b]! ? models[a]! > models[b]! : a.lexicographicallyPrecedes(b)
        }.first ?? []
        given = fixed.map(\.0)
        self.models = models[setting] ?? 0
        allModels = Pairing.groupIndices(samples, by: Self.modelFields).count
        namedMapSettings = Set(StudyField.mapSettings.filter(samples.vary))
    }

    /// True when the main setting names `field`: every setting but a map setting all masks share.
    private func names(_ field: StudyField) -> Bool {
        !StudyField.mapSettings.contains(field) || namedMapSettings.contains(field)
    }

    /// The setting as people read it, e.g. "λ1 = 0.01, λ2 = 0.001" (empty subject sets and
    /// settings no mask has are not named, nor a kind, method or subject every mask shares
    /// unless it is an attribution map's).
    var description: String {
        zip(StudyField.mainSettings, setting).compactMap { field, value in
            value == .missing || value == .text("") || (!names(field) && value == .text(ExplanationKind.mask.rawValue))
                ? nil : "\(field.label) = \(value)"
        }.joined(separator: ", ")
    }

    /// How it was chosen, e.g. "chosen automatically: the setting shared by the most
    /// models (4 of the 4; ties go to the smallest λ1, then λ2, β1, β2, subjects)".
    var rule: String {
        let share = "\(models) of the \(allModels) \(allModels == 1 ? "model" : "models")"
        let open = StudyField.mainSettings.filter { !given.contains($0) && names($0) }.map(\.label)
        guard !open.isEmpty else { return "given by --main; \(share) have masks there" }
        let ties = open.count == 1 ? open[0] : open[0] + ", then " + open.dropFirst().joined(separator: ", ")
        let automatic = "the setting shared by the most models (\(share); ties go to the smallest \(ties))"
        if given.isEmpty { return "chosen automatically: " + automatic }
        return "\(given.map(\.label).joined(separator: ", ")) given by --main, the rest chosen automatically among its masks: " + automatic
    }

    /// A value as `--main` would write it: `''` for empty text, `none` for a setting masks lack.
    private static func written(_ value: SettingValue) -> String {
        value == .missing ? "none" : value == .text("") ? "''" : value.description
    }

    /// The fields that tell a study's models apart (a report's masks are of one study).
    static let modelFields: [StudyField] = [.fold, .run, .model]

    /// The samples at the main setting.
    func samples(among samples: [MaskSample]) -> [MaskSample] {
        var keys = FieldReader(StudyField.mainSettings)
        return samples.filter { sample in
            let positions = keys.positions(in: sample.fields)
            return positions.indices.allSatisfy { FieldReader.value(sample.values, at: positions[$0]) == setting[$0] }
        }
    }

    /// A sample's values of the main setting's fields.
    private static func setting(of sample: MaskSample) -> [SettingValue] { StudyField.mainSettings.map { sample[$0] } }

    /// A model, as the report names it, from its values of `modelFields`.
    static func model(_ identity: [SettingValue]) -> String {
        "fold \(identity[0]) run \(identity[1])" + (identity[2] == .text("") ? "" : " model \(identity[2])")
    }
}
