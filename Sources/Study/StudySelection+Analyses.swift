import Analysis
import StudyCore

/// Which similarity a matrix shows.
public enum SimilarityMetric: String, CaseIterable, Sendable {
    /// The cosine of the masks' density vectors.
    case roi
    /// The probabilities CNNs give to inputs masked by masks of other models.
    case prob
}

extension StudySelection {
    /// The similarity matrix across the values of `field`, pairs agreeing as `pairing` says.
    /// Records without a value of a mask-only setting compared (attribution maps, by λ1) are left out (`placementNotes`).
    /// `units`: the samples' unit vectors, when the caller has them for several analyses.
    public func similarity(by field: StudyField, metric: SimilarityMetric = .roi, pairing: Pairing = .settings, units: UnitVectors? = nil) -> SimilarityMatrix {
        switch metric {
        case .roi:
            let placed = placed(on: [field])
            // The selection's unit vectors serve only when every sample is placed.
            return Similarity.roi(placed, by: field, pairing: pairing, units: placed.count == samples.count ? units : nil)
        case .prob: return Similarity.prob(evaluations, by: field)
        }
    }

    /// Inter-run and inter-fold agreement, mask pairs agreeing as `pairing` says.
    public func robustness(pairing: Pairing = .settings, units: UnitVectors? = nil, intervals: IntervalOptions = IntervalOptions()) -> RobustnessTable {
        Robustness.compute(samples, evaluations, pairing: pairing, units: units, intervals: intervals)
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
                let reason = pairing.whyNoPairs(samples, differingIn: matrix.field, between: (x, y)) ?? "no pair has a similarity (a density vector is all zeros)"
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
            let reason = pairing.whyNoPairs(samples, differingIn: field) ?? "no pair has a similarity (a density vector is all zeros)"
            notes.append("roi_cosine inter-\(field.name)s: 0 pairs: \(reason)")
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
