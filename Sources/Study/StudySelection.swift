import Analysis
import Atlas
import Store
import StudyCore

/// The recorded masks a command analyses, turned into the analyses' inputs: the bridge
/// from a store's records to `Analysis`.
public struct StudySelection: Sendable {
    /// The selected masks, by id.
    public let masks: [MaskRecord]
    /// One sample per mask, in the same order.
    public let samples: [MaskSample]
    /// Every evaluation of the selected masks, in the order they were recorded.
    public let evaluations: [EvaluationSample]
    /// The regions of the masks' atlas, in ascending label order (the samples' order).
    public let regions: [(label: Int, name: String)]
    /// The mask-only settings (λ1, λ2) some selected record has no value of: an attribution
    /// map's. Found once, so that an analysis along others reads the samples as they are.
    let unplacedSettings: Set<StudyField>

    /// The masks passing `filter`, their density vectors and evaluations. They must
    /// share one atlas, since density vectors over different atlases do not compare.
    /// Each parameter or annotation that `using` names (option and field) must be one
    /// some selected mask has: a misspelt one would otherwise group every mask as "missing".
    /// With `atlas` (a registered atlas's name), every mask's vector over that atlas is read
    /// instead of its import atlas's (`maskdb measure` computes them; a mask without one is an error).
    public init(
        store: any StudyStore, filter: FilterExpression, using fields: [(option: String, field: StudyField?)] = [], atlas: String? = nil
    ) throws {
        // One read: the masks, their vectors and evaluations as one consistent view.
        let data = try store.studyData(where: filter, atlas: atlas)
        masks = data.masks
        let atlases = Set(masks.map(\.atlas)).sorted()
        guard atlases.count <= 1 else { throw StudyError.severalAtlases(names: atlases) }
        let atlas = atlases.first ?? Atlas.defaultName
        guard let regions = data.regions[atlas] else { throw StoreError.unknownAtlas(name: atlas, known: try store.atlasNames()) }
        self.regions = regions
        let parameters = Set(masks.flatMap { $0.params.values.keys })
        let annotations = Set(masks.flatMap { $0.annotations.values.keys })
        for case let (option, field?) in fields where !masks.isEmpty {
            switch field {
            case .parameter(let name) where !parameters.contains(name):
                throw StudyError.unknownField(option: option, field: field, known: parameters.sorted().map(StudyField.parameter))
            case .annotation(let name) where !annotations.contains(name):
                throw StudyError.unknownField(option: option, field: field, known: annotations.sorted().map(StudyField.annotation))
            default: continue
            }
        }
        // Masks with the same parameters and annotations have the same fields (every named
        // setting field, then those): one list of them serves all. Consecutive masks mostly
        // share their parameters too (the store reads equal ones once): their values are
        // read once.
        var fieldSets: [[StudyField]: SampleFields] = [:]
        var last: (params: Parameters, annotations: Parameters, fields: SampleFields, values: [SettingValue])?
        samples = masks.map { mask in
            let own: (fields: SampleFields, values: [SettingValue])
            if let last, last.params == mask.params, last.annotations == mask.annotations {
                own = (last.fields, last.values)
            } else {
                let open = mask.params.values.keys.sorted().map(StudyField.parameter)
                    + mask.annotations.values.keys.sorted().map(StudyField.annotation)
                let fields = fieldSets[open] ?? SampleFields(MaskRecord.settingFields + open)
                fieldSets[open] = fields
                own = (fields, open.map { mask[$0] })
                last = (mask.params, mask.annotations, own.fields, own.values)
            }
            let vector = data.vectors[mask.id]!
            return MaskSample(
                id: mask.id, fields: own.fields, values: MaskRecord.settingFields.map { mask[$0] } + own.values,
                densities: vector.densities, voxels: vector.voxels)
        }
        unplacedSettings = Set(StudyField.maskOnlySettings.filter { [samples] field in
            var reader = FieldReader([field])
            for index in samples.indices where reader.value(of: samples[index]) == .missing { return true }
            return false
        })
        let evaluated = Set(data.evaluations.map(\.maskID))
        let settingsByID = Dictionary(uniqueKeysWithValues: samples.lazy.filter { evaluated.contains($0.id) }.map { ($0.id, $0.settings) })
        evaluations = data.evaluations.map { e in
            EvaluationSample(
                maskID: e.maskID, mask: settingsByID[e.maskID]!,
                evaluator: [.study: .text(e.study), .fold: .number(Double(e.fold)), .run: .number(Double(e.run)), .model: .text(e.model)],
                subjects: e.subjects, trueLabel: e.trueLabel, probability: e.probability)
        }
    }

    /// Throws unless some mask was selected: a figure or report of nothing is no answer.
    public func requireMasks() throws {
        guard !masks.isEmpty else { throw StudyError.nothingSelected }
    }
}
