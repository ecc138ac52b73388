import Analysis
import ArgumentParser
import MaskStore

/// The recorded masks a command analyses, turned into the analyses' inputs.
struct StudySelection {
    let masks: [MaskRecord]
    let samples: [MaskSample]
    let evaluations: [EvaluationSample]
    let regions: [(label: Int, name: String)]

    /// The masks passing `filter`, their density vectors and evaluations. They must
    /// share one atlas, since density vectors over different atlases do not compare.
    /// Each `params.NAME` that `using` names (option and field) must be a parameter of
    /// some selected mask: a misspelt one would otherwise group every mask as "missing".
    init(store: MaskStore, filter: Filter, using fields: [(option: String, field: String?)] = []) throws {
        masks = try store.masks(where: filter)
        let atlases = Set(masks.map(\.atlas)).sorted()
        guard atlases.count <= 1 else {
            throw CommandFailure("the selected masks use several atlases (\(atlases.joined(separator: ", "))); add --where \"atlas = NAME\"")
        }
        regions = try store.atlasRegions(named: atlases.first ?? "aal2")
        let settingsByID = Dictionary(uniqueKeysWithValues: masks.map { ($0.id, Self.settings($0)) })
        // Before the density vectors and evaluations are read: it needs only the settings.
        let parameters = Set(settingsByID.values.flatMap { $0.keys.filter(Self.isParameter) })
        for case let (option, field?) in fields where Self.isParameter(field) && !masks.isEmpty && !parameters.contains(field) {
            throw CommandFailure(
                "'\(option) \(field)': no selected mask has this parameter; "
                    + (parameters.isEmpty ? "they have none" : "they have \(parameters.sorted().joined(separator: ", "))"))
        }
        let vectors = try store.densityVectors(maskIDs: masks.map(\.id), labels: regions.map(\.label))
        samples = masks.map { mask in
            MaskSample(
                id: mask.id, settings: settingsByID[mask.id]!, densities: vectors[mask.id]!.densities,
                voxels: vectors[mask.id]!.voxels)
        }
        evaluations = try store.evaluations(maskIDs: masks.map(\.id)).map { e in
            EvaluationSample(
                maskID: e.maskID, mask: settingsByID[e.maskID]!,
                evaluator: [
                    "study": .text(e.study), "fold": .number(Double(e.fold)), "run": .number(Double(e.run)),
                    "model": .text(e.model),
                ],
                subjects: e.subjects, trueLabel: e.trueLabel, probability: e.probability)
        }
    }

    /// Throws unless some mask was selected: a figure or report of nothing is no answer.
    func requireMasks() throws {
        guard !masks.isEmpty else { throw CommandFailure("no recorded mask matches --where; nothing to draw") }
    }

    /// A mask's settings as the analyses name them.
    static func settings(_ mask: MaskRecord) -> [String: SettingValue] {
        var settings: [String: SettingValue] = [
            "study": .text(mask.study), "fold": .number(Double(mask.fold)), "run": .number(Double(mask.run)),
            "model": .text(mask.model), "lambda1": .number(mask.lambda1), "lambda2": .number(mask.lambda2),
            "beta1": mask.beta1.map { .number($0) } ?? .missing, "beta2": mask.beta2.map { .number($0) } ?? .missing,
            "subjects": .text(mask.subjects), "semantics": .text(mask.semantics), "atlas": .text(mask.atlas),
        ]
        for (name, value) in Parameters(json: mask.params).values {
            switch value {
            case .number(let n): settings["params." + name] = .number(n)
            case .text(let t): settings["params." + name] = .text(t)
            }
        }
        return settings
    }

    /// True for `params.NAME`.
    static func isParameter(_ field: String) -> Bool {
        field.hasPrefix("params.") && field.count > "params.".count
    }

    /// The fields analyses group and compare by.
    static let fields = ["lambda1", "lambda2", "beta1", "beta2", "run", "fold", "subjects"]

    /// Checks a `--by` field: one of `fields` or `params.NAME`.
    static func validate(field: String, option: String) throws {
        guard fields.contains(field) || isParameter(field) else {
            throw ValidationError("'\(option) \(field)': use one of \(fields.joined(separator: ", ")) or params.NAME")
        }
    }
}
