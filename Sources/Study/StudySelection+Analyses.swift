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
    public func similarity(by field: StudyField, metric: SimilarityMetric = .roi, pairing: Pairing = .settings) -> SimilarityMatrix {
        switch metric {
        case .roi: Similarity.roi(samples, by: field, pairing: pairing)
        case .prob: Similarity.prob(evaluations, by: field)
        }
    }

    /// Inter-run and inter-fold agreement, mask pairs agreeing as `pairing` says.
    public func robustness(pairing: Pairing = .settings) -> RobustnessTable {
        Robustness.compute(samples, evaluations, pairing: pairing)
    }

    /// What a reader of an analysis must know of what it pooled: each annotation (and each
    /// ignored setting) that varies among the masks, e.g. "pooled over annotation.job (20 values)".
    public func poolingNotes(_ pairing: Pairing = .settings, comparing field: StudyField? = nil) -> [String] {
        pairing.pooled(samples, comparing: field).map { "pooled over \($0.field) (\($0.values) values)" }
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

    /// The regions in some mask's top `k`, ranked per value of `field` (nil: all masks together).
    public func topRegions(k: Int, by field: StudyField? = nil, mergeHemispheres: Bool) -> [TopRegionRow] {
        TopRegions.rank(samples, regions: regions, k: k, by: field, mergeHemispheres: mergeHemispheres)
    }

    /// The mean of `value` over the masks in each cell of `rows` x `columns`.
    public func grid(rows: StudyField, columns: StudyField, value: GridValue) -> GridTable {
        GridSearch.table(samples, rows: rows, columns: columns, value: reader(of: value))
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
