import Analysis
import ArgumentParser
import Store
import StudyCore

/// The recorded masks a command analyses, turned into the analyses' inputs.
struct StudySelection {
    let masks: [MaskRecord]
    let samples: [MaskSample]
    let evaluations: [EvaluationSample]
    let regions: [(label: Int, name: String)]

    /// The masks passing `filter`, their density vectors and evaluations. They must
    /// share one atlas, since density vectors over different atlases do not compare.
    /// Each parameter that `using` names (option and field) must be a parameter of
    /// some selected mask: a misspelt one would otherwise group every mask as "missing".
    init(store: any StudyStore, filter: FilterExpression, using fields: [(option: String, field: StudyField?)] = []) throws {
        masks = try store.masks(where: filter)
        let atlases = Set(masks.map(\.atlas)).sorted()
        guard atlases.count <= 1 else {
            throw CommandFailure("the selected masks use several atlases (\(atlases.joined(separator: ", "))); add --where \"atlas = NAME\"")
        }
        regions = try store.atlasRegions(named: atlases.first ?? "aal2")
        // Before the density vectors and evaluations are read: it needs only the settings.
        let parameters = Set(masks.flatMap { $0.params.values.keys })
        for case let (option, .parameter(name)?) in fields where !masks.isEmpty && !parameters.contains(name) {
            throw CommandFailure(
                "'\(option) \(StudyField.parameter(name))': no selected mask has this parameter; "
                    + (parameters.isEmpty
                        ? "they have none" : "they have \(parameters.sorted().map { StudyField.parameter($0).name }.joined(separator: ", "))"))
        }
        let settingsByID = Dictionary(uniqueKeysWithValues: masks.map { ($0.id, $0.settings) })
        let vectors = try store.densityVectors(maskIDs: masks.map(\.id), labels: regions.map(\.label))
        samples = masks.map { mask in
            MaskSample(
                id: mask.id, settings: settingsByID[mask.id]!, densities: vectors[mask.id]!.densities,
                voxels: vectors[mask.id]!.voxels)
        }
        evaluations = try store.evaluations(maskIDs: masks.map(\.id)).map { e in
            EvaluationSample(
                maskID: e.maskID, mask: settingsByID[e.maskID]!,
                evaluator: [.study: .text(e.study), .fold: .number(Double(e.fold)), .run: .number(Double(e.run)), .model: .text(e.model)],
                subjects: e.subjects, trueLabel: e.trueLabel, probability: e.probability)
        }
    }

    /// Throws unless some mask was selected: a figure or report of nothing is no answer.
    func requireMasks() throws {
        guard !masks.isEmpty else { throw CommandFailure("no recorded mask matches --where; nothing to draw") }
    }
}
