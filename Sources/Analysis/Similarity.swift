import StudyCore

/// A square table over the values of one field: cell (a, b) is a mean over pairs.
public struct SimilarityMatrix: Sendable, Equatable {
    /// The field the rows and columns range over.
    public var field: StudyField
    /// The field's values, ascending.
    public var values: [SettingValue]
    /// Mean per cell, nil where no pair exists.
    public var means: [[Double?]]
    /// Pairs per cell.
    public var pairs: [[Int]]
    /// Each cell's interval (the model bootstrap), when asked for: nil where it cannot be
    /// told (the diagonal, no pair, pairs pooled over models).
    public var intervals: [[Interval?]]? = nil
    /// How the intervals were computed.
    public var intervalOptions: IntervalOptions? = nil
}

/// ROI-based and CNN-based similarity between masks.
public enum Similarity {
    /// The cosine similarity of two density vectors over the regions both have;
    /// nil when either vector is all zeros there.
    public static func cosine(_ a: [Double?], _ b: [Double?]) -> Double? {
        var dot = 0.0, normA = 0.0, normB = 0.0
        for (x, y) in zip(a, b) {
            guard let x, let y else { continue }
            dot += x * y
            normA += x * x
            normB += y * y
        }
        guard normA > 0, normB > 0 else { return nil }
        return dot / (normA.squareRoot() * normB.squareRoot())
    }

    /// Cell (a, b): the mean cosine similarity of the density vectors of masks x with
    /// `field` = a and y with `field` = b that agree on every other setting `pairing`
    /// matches (so share the model, unless `field` is fold or run). The diagonal is 1.
    /// `units`: the samples' unit vectors, when the caller has them for several analyses.
    public static func roi(_ samples: [MaskSample], by field: StudyField, pairing: Pairing = .settings, units: UnitVectors? = nil) -> SimilarityMatrix {
        matrix(samples, by: field, pairing: pairing, measure: .vectors(units ?? UnitVectors(samples)))
    }

    /// Cell (a, b): the mean of `measure` over the pairs of masks x with `field` = a and y
    /// with `field` = b that agree on every other setting `pairing` matches. The diagonal is
    /// 1 (a mask agrees with itself on every measure). With `intervals`, each cell's interval
    /// from the model bootstrap.
    public static func matrix(
        _ samples: [MaskSample], by field: StudyField, pairing: Pairing = .settings, measure: PairMeasure, intervals: IntervalOptions? = nil
    ) -> SimilarityMatrix {
        let values = Set(samples.map { $0[field] }).sorted()
        let index = Dictionary(uniqueKeysWithValues: values.enumerated().map { ($1, $0) })
        var sums = Array(repeating: Array(repeating: CompensatedSum(), count: values.count), count: values.count)
        var counts = Array(repeating: Array(repeating: 0, count: values.count), count: values.count)
        // Each cell above the diagonal's sums by model pair, for its interval. A cell of two
        // runs (or folds) is of those runs: the runs are then what is compared, not units drawn
        // at random, so they are held fixed (one level) and only the folds are resampled.
        let models = intervals == nil ? nil : ModelNumbers(samples)
        let byModel = ModelNumbers.pairsAreOfModels(differingIn: field, pairing: pairing)
        let empty = models.map { models in
            ModelPairSums(
                folds: field == .fold ? models.folds.map { _ in .missing } : models.folds,
                runs: field == .run ? models.runs.map { _ in .missing } : models.runs)
        }
        var cellModels: [Int: ModelPairSums] = [:]
        measure.forEachPartSum(samples, differingIn: field, pairing: pairing) { x, y, sum, count, p, q in
            let (a, b) = (index[x]!, index[y]!)
            sums[a][b].add(sum)
            sums[b][a].add(sum)
            counts[a][b] += count
            counts[b][a] += count
            if let models, let empty, byModel {
                cellModels[min(a, b) * values.count + max(a, b), default: empty].add(models.model[p], models.model[q], sum: sum, count: count)
            }
        }
        let cells = values.indices.map { a in values.indices.map { b in Mean(sum: sums[a][b].value, count: counts[a][b]) } }
        var matrix = SimilarityMatrix(
            field: field, values: values,
            means: values.indices.map { a in values.indices.map { b in a == b ? 1 : cells[a][b].value } },
            pairs: counts)
        if let intervals {
            var cellIntervals = Array(repeating: [Interval?](repeating: nil, count: values.count), count: values.count)
            // Each cell on its own: its units are the folds and runs of its own pairs (a cell
            // whose pairs are all of one model has none to resample).
            let keys = cellModels.keys.sorted()
            let results = keys.map { ModelBootstrap.run([cellModels[$0]!], options: intervals)[0] }
            for (key, result) in zip(keys, results) {
                let (a, b) = key.quotientAndRemainder(dividingBy: values.count)
                cellIntervals[a][b] = result.interval
                cellIntervals[b][a] = result.interval
            }
            matrix.intervals = cellIntervals
            matrix.intervalOptions = intervals
        }
        return matrix
    }

    /// Cell (a, b): the mean probability that models with `field` = b (run or fold) give
    /// to inputs masked by masks of models with `field` = a, the other of run and fold,
    /// the study and the model name being equal. 0 means the masks transfer. With
    /// `intervals`, each cell's interval from the bootstrap of models (an evaluation is a
    /// pair: its mask's model and the evaluating one), `field` held fixed as it is compared.
    public static func prob(_ evaluations: [EvaluationSample], by field: StudyField, intervals: IntervalOptions? = nil) -> SimilarityMatrix {
        let relevant = evaluations.filter { $0.agrees(on: StudyField.modelIdentity.filter { $0 != field }) }
        let values = Set(relevant.flatMap { [$0.mask[field] ?? .missing, $0.evaluator[field] ?? .missing] }).sorted()
        let index = Dictionary(uniqueKeysWithValues: values.enumerated().map { ($1, $0) })
        var sums = Array(repeating: Array(repeating: Mean(), count: values.count), count: values.count)
        // The models by their fold and run (the compared one as a single level), and each cell's pairs.
        var models = ModelIndex(fixing: field)
        var cellPairs: [[(Int, Int, Double)]] = Array(repeating: [], count: values.count * values.count)
        for e in relevant {
            let (a, b) = (index[e.mask[field] ?? .missing]!, index[e.evaluator[field] ?? .missing]!)
            sums[a][b].add(e.probability)
            if intervals != nil { cellPairs[a * values.count + b].append((models.number(e.mask), models.number(e.evaluator), e.probability)) }
        }
        var matrix = SimilarityMatrix(
            field: field, values: values, means: sums.map { $0.map(\.value) }, pairs: sums.map { $0.map(\.count) })
        if let intervals {
            matrix.intervals = values.indices.map { a in
                values.indices.map { b in
                    let pairs = cellPairs[a * values.count + b]
                    return pairs.isEmpty ? nil : ModelBootstrap.run([models.sums(of: pairs)], options: intervals)[0].interval
                }
            }
            matrix.intervalOptions = intervals
        }
        return matrix
    }
}
