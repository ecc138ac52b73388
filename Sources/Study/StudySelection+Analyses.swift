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
    /// The similarity matrix across the values of `field`.
    public func similarity(by field: StudyField, metric: SimilarityMetric = .roi) -> SimilarityMatrix {
        switch metric {
        case .roi: Similarity.roi(samples, by: field)
        case .prob: Similarity.prob(evaluations, by: field)
        }
    }

    /// Inter-run and inter-fold agreement.
    public func robustness() -> RobustnessTable {
        Robustness.compute(samples, evaluations)
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
