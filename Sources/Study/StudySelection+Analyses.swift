import Analysis
import StudyCore
import Store

/// Which similarity a matrix shows, or which agreement of two masks robustness measures.
public enum SimilarityMetric: String, CaseIterable, Sendable {
    /// The cosine of the masks' density vectors.
    case roi
    /// Pearson's correlation of the density vectors.
    case pearson
    /// Spearman's correlation of the density vectors.
    case spearman
    /// The stability of the top-k regions (Nogueira et al. 2018).
    case stability
    /// The Jaccard index of the top-k regions.
    case topkJaccard = "topk-jaccard"
    /// The Dice coefficient of the masks' voxel sets (from the stored files, `VoxelMaps`).
    case dice
    /// The Jaccard index of the masks' voxel sets.
    case jaccard
    /// Pearson's correlation of the masks' voxels.
    case voxelPearson = "voxel-pearson"
    /// The probabilities CNNs give to inputs masked by masks of other models.
    case prob

    /// The measures of two masks (all but `prob`, which is of models).
    public static let maskMeasures: [SimilarityMetric] = allCases.filter { $0 != .prob }
    /// Those read off the density vectors alone (the others decode the stored files).
    public static let densityMeasures: [SimilarityMetric] = maskMeasures.filter { $0.voxelMeasure == nil }

    /// The measure's name in tables (robustness's row, the report's table of measures).
    public var tableName: String {
        switch self {
        case .roi: "roi_cosine"
        case .pearson: "roi_pearson"
        case .spearman: "roi_spearman"
        case .stability: "topk_stability"
        case .topkJaccard: "topk_jaccard"
        case .dice: "voxel_dice"
        case .jaccard: "voxel_jaccard"
        case .voxelPearson: "voxel_pearson"
        case .prob: "prob_cnn"
        }
    }

    /// The voxel measure it is (read from the stored files), nil for the others.
    public var voxelMeasure: VoxelMeasure? {
        switch self {
        case .dice: .dice
        case .jaccard: .jaccard
        case .voxelPearson: .pearson
        default: nil
        }
    }

    /// What it measures, its range and direction, as tables' notes say.
    public func meaning(k: Int) -> String {
        switch self {
        case .roi: "roi_cosine: cosine of the density vectors, 0 to 1, 1 = the same regions in the same proportions"
        case .pearson: "roi_pearson: Pearson's r of the density vectors, -1 to 1, 1 = the same profile across regions"
        case .spearman: "roi_spearman: Spearman's rho of the density vectors (ties: average ranks), -1 to 1, 1 = the same order of regions"
        case .stability:
            "topk_stability: Nogueira's stability of the top-\(k) regions (Pearson's r of the top-\(k) indicator vectors, "
                + "averaged over pairs), -1 to 1, 1 = the same regions, 0 = chance"
        case .topkJaccard: "topk_jaccard: Jaccard index of the top-\(k) regions, 0 to 1, 1 = the same regions"
        case .dice: "voxel_dice: Dice coefficient of the voxel sets (masks: perturbation >= the threshold; maps: the top percent of |a|), 0 to 1, 1 = the same voxels"
        case .jaccard: "voxel_jaccard: Jaccard index of the voxel sets (masks: perturbation >= the threshold; maps: the top percent of |a|), 0 to 1, 1 = the same voxels"
        case .voxelPearson: "voxel_pearson: Pearson's r of the perturbation (maps: |a|) over the atlas's voxels, -1 to 1, 1 = the same pattern"
        case .prob: "prob_cnn: probability of the true class under another model's mask, 0 to 1, 0 = the mask transfers"
        }
    }
}

extension StudySelection {
    /// Each selected record's voxels as a voxel measure needs them, decoded from the store
    /// (`VoxelMaps.load`); nil for the other measures, which read the densities alone.
    public func voxelMaps(for metric: SimilarityMetric, store: any StudyStore, options: VoxelOptions, jobs: Int) throws -> VoxelMaps? {
        guard let measure = metric.voxelMeasure else { return nil }
        return try VoxelMaps.load(store: store, masks: masks, options: options, measures: [measure], jobs: jobs)
    }

    /// How `metric` (a mask measure) is summed over pairs of `samples` (the selection's, or
    /// some of them), its top-k sets of `k` regions. `units`: the samples' unit vectors for
    /// the cosine, when the caller has them; `voxels`, the records' voxels for a voxel measure.
    public func pairMeasure(
        _ metric: SimilarityMetric, k: Int, on samples: [MaskSample], units: UnitVectors? = nil, voxels: VoxelMaps? = nil
    ) -> PairMeasure {
        if let measure = metric.voxelMeasure {
            guard let voxels else { preconditionFailure("\(metric) reads the records' voxels: load them (voxelMaps(for:))") }
            return voxels.pairMeasure(measure, on: samples)
        }
        switch metric {
        case .roi: return .vectors(units ?? UnitVectors(samples))
        case .pearson: return .vectors(UnitVectors(samples, measure: .pearson))
        case .spearman: return .vectors(UnitVectors(samples, measure: .spearman))
        case .stability: return .vectors(UnitVectors(samples, measure: .stability(k: k)))
        case .topkJaccard:
            let sets = TopRegionSets(samples, k: k)
            return .pairs { sets.jaccard($0, $1) }
        case .prob: preconditionFailure("prob_cnn is not a measure of two masks")
        case .dice, .jaccard, .voxelPearson: preconditionFailure("a voxel measure")
        }
    }

    /// The similarity matrix across the values of `field`, pairs agreeing as `pairing` says.
    /// Records without a value of a mask-only setting compared (attribution maps, by λ1) are left out (`placementNotes`).
    /// `units`: the samples' unit vectors, when the caller has them for several analyses; `k`,
    /// the top regions of the top-k measures; `intervals`, each cell's interval (mask measures).
    public func similarity(
        by field: StudyField, metric: SimilarityMetric = .roi, pairing: Pairing = .settings, units: UnitVectors? = nil, k: Int = 5,
        voxels: VoxelMaps? = nil, intervals: IntervalOptions? = nil
    ) -> SimilarityMatrix {
        guard metric != .prob else { return Similarity.prob(evaluations, by: field, intervals: intervals) }
        let placed = placed(on: [field])
        // The selection's unit vectors serve only when every sample is placed.
        let measure = pairMeasure(metric, k: k, on: placed, units: placed.count == samples.count ? units : nil, voxels: voxels)
        return Similarity.matrix(placed, by: field, pairing: pairing, measure: measure, intervals: intervals)
    }

    /// Inter-run and inter-fold agreement, mask pairs agreeing as `pairing` says, measured by `metric`.
    public func robustness(
        pairing: Pairing = .settings, metric: SimilarityMetric = .roi, k: Int = 5, units: UnitVectors? = nil, voxels: VoxelMaps? = nil,
        intervals: IntervalOptions = IntervalOptions()
    ) -> RobustnessTable {
        let measure = pairMeasure(metric, k: k, on: samples, units: units, voxels: voxels)
        var table = Robustness.compute(samples, evaluations, pairing: pairing, measure: measure, intervals: intervals)
        table.measureName = metric.tableName
        return table
    }

    /// What a reader of an analysis must know of what it pooled: each annotation (and each
    /// ignored setting) that varies among the masks, e.g. "pooled over annotation.job (20 values)".
    public func poolingNotes(_ pairing: Pairing = .settings, comparing field: StudyField? = nil) -> [String] {
        pairing.pooled(samples, comparing: field).map { "pooled over \($0.field) (\($0.values) values)" }
    }

    /// What a reader of robustness's means (or, `pooling`, a table's rows) must know when the
    /// records are of several kinds, methods or subjects the rule keeps apart and no field of
    /// `grouping` separates: each pair is of one, the means pool them all.
    public func kindNotes(_ pairing: Pairing = .settings, grouping: [StudyField] = [], pooling: String? = nil) -> [String] {
        // Nearly always every record has one kind, method and subject: nothing to group.
        let varying = StudyField.mapSettings.filter { pairing.matches($0) && samples.vary(in: $0) }
        guard !varying.isEmpty else { return [] }
        let groups = Dictionary(grouping: placed(on: grouping)) { sample in grouping.map { sample[$0] } }.values
        let kept = varying.filter { field in
            groups.contains { group in Set(group.map { $0[field] }).count > 1 }
        }.compactMap { field -> String? in
            let values = Set(groups.joined().map { $0[field] }).sorted()
            return values.count > 1 ? "\(values.count) \(field.name)s (\(values.map { $0 == .text("") ? "''" : $0.description }.joined(separator: ", ")))" : nil
        }
        guard !kept.isEmpty else { return [] }
        return [(pooling ?? "the means pool the pairs of") + " \(kept.joined(separator: " and "))" + (pooling == nil ? ", each pair of one" : "")
            + "; select one with --where (e.g. kind = attribution and method = gradients)"]
    }

    /// Why the ROI cells of `matrix` without a pair have none, one note per cell above the diagonal.
    public func pairNotes(_ matrix: SimilarityMatrix, pairing: Pairing = .settings) -> [String] {
        var notes: [String] = []
        for a in matrix.values.indices {
            for b in matrix.values.indices where b > a && matrix.pairs[a][b] == 0 {
                let (x, y) = (matrix.values[a], matrix.values[b])
                let reason = pairing.whyNoPairs(samples, differingIn: matrix.field, between: (x, y)) ?? "no pair has a value (a density vector is all zeros, or constant for a correlation)"
                notes.append("\(matrix.field.label) \(x) vs \(y): 0 pairs: \(reason)")
            }
        }
        return notes
    }

    /// Why the means of `table` without a pair or evaluation have none (`noEvaluations`: also
    /// when the masks have no evaluation at all, which a report's legend says already).
    public func pairNotes(_ table: RobustnessTable, pairing: Pairing = .settings, noEvaluations: Bool = true) -> [String] {
        var notes: [String] = []
        for (field, mean) in [(StudyField.run, table.roiInterRuns), (.fold, table.roiInterFolds)] where mean.count == 0 {
            let reason = pairing.whyNoPairs(samples, differingIn: field) ?? "no pair has a value (a density vector is all zeros, or constant for a correlation)"
            notes.append("\(table.measureName) inter-\(field.name)s: 0 pairs: \(reason)")
        }
        if evaluations.isEmpty {
            if noEvaluations { notes.append("prob_cnn: the selected masks have no evaluations (maskdb import evaluations records them)") }
            return notes
        }
        for (field, mean) in [(StudyField.run, table.probInterRuns), (.fold, table.probInterFolds)] where mean.count == 0 {
            let other = field == .run ? StudyField.fold : .run
            notes.append("prob_cnn inter-\(field.name)s: 0 evaluations: no selected mask is evaluated by a model of another \(field.name) and the same \(other.name)")
        }
        return notes
    }

    /// The regions in some mask's top `k`, ranked per value of `field` (nil: all masks together),
    /// with `intervals`, each mean density's interval.
    public func topRegions(k: Int, by field: StudyField? = nil, mergeHemispheres: Bool, intervals: IntervalOptions? = nil) -> [TopRegionRow] {
        TopRegions.rank(samples, regions: regions, k: k, by: field, mergeHemispheres: mergeHemispheres, intervals: intervals)
    }

    /// The mean of `value` over the masks in each cell of `rows` x `columns` (records without
    /// a value of a mask-only setting on either axis left out, as `placementNotes` says).
    public func grid(rows: StudyField, columns: StudyField, value: GridValue) -> GridTable {
        GridSearch.table(placed(on: [rows, columns]), rows: rows, columns: columns, value: reader(of: value))
    }

    /// The samples an analysis along `fields` can place: an attribution map has no λ1 or λ2
    /// (settings of optimized masks alone), so an axis of one leaves it out rather than
    /// putting it at a value `-` no mask has.
    public func placed(on fields: [StudyField]) -> [MaskSample] {
        let axes = fields.filter(unplacedSettings.contains)
        guard !axes.isEmpty else { return samples }
        return samples.filter { sample in axes.allSatisfy { sample[$0] != .missing } }
    }

    /// What an analysis along `fields` left out, and what compares those records instead, e.g.
    /// "8 records without λ1 (attribution maps) left out; compare them by method, subject, run or fold".
    public func placementNotes(on fields: [StudyField]) -> [String] {
        guard fields.contains(where: unplacedSettings.contains) else { return [] }
        let left = samples.count - placed(on: fields).count
        let axes = fields.filter(StudyField.maskOnlySettings.contains).map(\.label).joined(separator: " or ")
        let maps = samples.filter { sample in fields.contains { StudyField.maskOnlySettings.contains($0) && sample[$0] == .missing } }
        let kind = maps.allSatisfy { $0[.kind] == .text(ExplanationKind.attribution.rawValue) } ? "attribution maps" : "records"
        return ["\(left) \(left == 1 ? "record" : "records") without \(axes) (\(kind): λ1 and λ2 are settings of optimized masks) left out"
            + (left == samples.count ? ", which is every one selected" : "") + "; compare them by method, subject, run or fold"]
    }

    /// How to read `value` off a mask (nil where it has none).
    func reader(of value: GridValue) -> (MaskSample) -> Double? {
        switch value {
        case .density:
            return { $0.meanDensity }
        case .prob:
            let probabilities = GridSearch.ownModelProbability(evaluations)
            return { probabilities[$0.id] }
        case .parameter(let name):
            return { sample in
                if case .number(let n) = sample[.parameter(name)] { return n }
                return nil
            }
        }
    }
}
