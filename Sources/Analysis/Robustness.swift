import StudyCore

/// How much masks agree across runs and across folds (the poster's robustness table).
public struct RobustnessTable: Sendable, Equatable {
    /// Mean probability over inter-run evaluations (0 = similar, 1 = dissimilar).
    public var probInterRuns: Mean
    /// Mean probability over inter-fold evaluations.
    public var probInterFolds: Mean
    /// Mean ROI cosine similarity over inter-run mask pairs (1 = similar).
    public var roiInterRuns: Mean
    /// Mean ROI cosine similarity over inter-fold mask pairs.
    public var roiInterFolds: Mean
    /// The intervals of the two ROI means and of their difference (inter-runs - inter-folds),
    /// with its p-value: nil where the bootstrap cannot tell (no pair, one model a side, or
    /// pairs pooled over models: `--ignore fold`, `run` or `model`).
    public var roiInterRunsInterval: Interval? = nil
    public var roiInterFoldsInterval: Interval? = nil
    public var roiDifferenceInterval: Interval? = nil
    public var roiDifferenceP: Double? = nil
    /// The random-pair baseline: mean ROI cosine of masks of different models and different
    /// settings (`RandomPairs`), how far from chance the two means are.
    public var roiRandomPairs = Mean()
    /// How the intervals were computed.
    public var intervals = IntervalOptions()

    /// inter-runs - inter-folds (nil without both).
    public var roiDifference: Double? { roiInterRuns.value.flatMap { runs in roiInterFolds.value.map { runs - $0 } } }
}

/// Inter-run and inter-fold agreement.
public enum Robustness {
    /// Inter-run pairs share the fold and differ in run; inter-fold pairs share the run
    /// and differ in fold; every other setting is equal (for evaluations: the study
    /// and model name of the mask's model and the evaluating model). `pairing` says which
    /// fields mask pairs agree on; `units`, the samples' unit vectors (computed here when nil).
    public static func compute(
        _ samples: [MaskSample], _ evaluations: [EvaluationSample], pairing: Pairing = .settings, units: UnitVectors? = nil,
        intervals: IntervalOptions = IntervalOptions()
    ) -> RobustnessTable {
        let units = units ?? UnitVectors(samples)
        // Each sample's model as a number (its fold and run), for the model bootstrap.
        var model = [Int](repeating: 0, count: samples.count)
        var modelFolds: [SettingValue] = [], modelRuns: [SettingValue] = []
        for (number, members) in Pairing.groupIndices(samples, by: [.fold, .run]).enumerated() {
            for member in members { model[member] = number }
            modelFolds.append(samples[members[0]][.fold])
            modelRuns.append(samples[members[0]][.run])
        }
        // The baseline on a thread of its own: its grouping and sums are one pass each, which
        // a core takes up beside the pairs' sums.
        let baseline = BackgroundValue { RandomPairs.mean(samples, units: units, pairing: pairing) }
        let empty = ModelPairSums(folds: modelFolds, runs: modelRuns)
        let runs = roi(samples, differingIn: .run, pairing: pairing, units: units, models: model, sums: empty)
        let folds = roi(samples, differingIn: .fold, pairing: pairing, units: units, models: model, sums: empty)
        var table = RobustnessTable(
            probInterRuns: probability(evaluations, differingIn: .run),
            probInterFolds: probability(evaluations, differingIn: .fold),
            roiInterRuns: runs.mean, roiInterFolds: folds.mean)
        table.intervals = intervals
        table.roiRandomPairs = try! baseline.get()  // it throws nothing
        if let runSums = runs.models, let foldSums = folds.models {
            let results = ModelBootstrap.run([runSums, foldSums], options: intervals)
            table.roiInterRunsInterval = results[0].interval
            table.roiInterFoldsInterval = results[1].interval
            (table.roiDifferenceInterval, table.roiDifferenceP) = ModelBootstrap.difference(results[0], results[1], level: intervals.level)
        }
        return table
    }

    /// Evaluations whose two models differ in `field` (run or fold) and agree on the rest of their identity.
    private static func probability(_ evaluations: [EvaluationSample], differingIn field: StudyField) -> Mean {
        Mean(evaluations.filter { !$0.agrees(on: [field]) && $0.agrees(on: StudyField.modelIdentity.filter { $0 != field }) }.map(\.probability))
    }

    /// The mean ROI cosine of pairs differing in `field`, and its sums model pair by model
    /// pair (nil when the pairs pool over models, which the model bootstrap cannot resample).
    private static func roi(
        _ samples: [MaskSample], differingIn field: StudyField, pairing: Pairing, units: UnitVectors, models model: [Int], sums empty: ModelPairSums
    ) -> (mean: Mean, models: ModelPairSums?) {
        // A part of a pairing group is of one model when the pairs agree on the model's
        // identity but `field`.
        let byModel = StudyField.modelIdentity.allSatisfy { $0 == field || pairing.matches($0) }
        var sum = CompensatedSum(), count = 0, models = empty
        PairCosines.forEachPartSum(samples, differingIn: field, pairing: pairing, units: units) { _, _, s, n, x, y in
            sum.add(s)
            count += n
            if byModel { models.add(model[x], model[y], sum: s, count: n) }
        }
        return (Mean(sum: sum.value, count: count), byModel ? models : nil)
    }
}
