import StudyCore

/// How much masks agree across runs and across folds (the poster's robustness table).
public struct RobustnessTable: Sendable, Equatable {
    /// Mean probability over inter-run evaluations (0 = similar, 1 = dissimilar).
    public var probInterRuns: Mean
    /// Mean probability over inter-fold evaluations.
    public var probInterFolds: Mean
    /// Their intervals, and their difference's (inter-runs - inter-folds) with its p-value,
    /// from the same bootstrap of models (an evaluation is a pair: the mask's model and the
    /// evaluating one); nil where it cannot tell.
    public var probInterRunsInterval: Interval? = nil
    public var probInterFoldsInterval: Interval? = nil
    public var probDifferenceInterval: Interval? = nil
    public var probDifferenceP: Double? = nil
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
    /// True when the baseline is the mean of a random sample of those pairs (too many to
    /// visit one by one for a measure computed pair by pair).
    public var roiRandomPairsSampled = false
    /// The mask measure's name in the table (`roi_cosine`; `pearson`, `dice`, ...).
    public var measureName = "roi_cosine"
    /// How the intervals were computed.
    public var intervals = IntervalOptions()

    /// inter-runs - inter-folds (nil without both).
    public var roiDifference: Double? { roiInterRuns.value.flatMap { runs in roiInterFolds.value.map { runs - $0 } } }
    public var probDifference: Double? { probInterRuns.value.flatMap { runs in probInterFolds.value.map { runs - $0 } } }
}

/// Inter-run and inter-fold agreement.
public enum Robustness {
    /// Inter-run pairs share the fold and differ in run; inter-fold pairs share the run
    /// and differ in fold; every other setting is equal (for evaluations: the study
    /// and model name of the mask's model and the evaluating model). `pairing` says which
    /// fields mask pairs agree on; `measure`, how a pair's agreement is measured (nil: the
    /// ROI cosine); `units`, the samples' unit vectors for the cosine when the caller has them.
    public static func compute(
        _ samples: [MaskSample], _ evaluations: [EvaluationSample], pairing: Pairing = .settings, measure: PairMeasure? = nil,
        units: UnitVectors? = nil, intervals: IntervalOptions = IntervalOptions()
    ) -> RobustnessTable {
        let measure = measure ?? .vectors(units ?? UnitVectors(samples))
        let models = ModelNumbers(samples)
        // The baseline on a thread of its own: its grouping and sums are one pass each, which
        // a core takes up beside the pairs' sums.
        let baseline = BackgroundValue { RandomPairs.mean(samples, measure: measure, pairing: pairing, seed: intervals.seed) }
        let runs = models.sums(samples, differingIn: .run, pairing: pairing, measure: measure)
        let folds = models.sums(samples, differingIn: .fold, pairing: pairing, measure: measure)
        let probabilities = probability(evaluations)
        var table = RobustnessTable(
            probInterRuns: probabilities.runs, probInterFolds: probabilities.folds, roiInterRuns: runs.mean, roiInterFolds: folds.mean)
        table.intervals = intervals
        if !evaluations.isEmpty {
            let results = ModelBootstrap.run([probabilities.runModels, probabilities.foldModels], options: intervals)
            table.probInterRunsInterval = results[0].interval
            table.probInterFoldsInterval = results[1].interval
            (table.probDifferenceInterval, table.probDifferenceP) = ModelBootstrap.difference(results[0], results[1], level: intervals.level)
        }
        (table.roiRandomPairs, table.roiRandomPairsSampled) = try! baseline.get()  // it throws nothing
        if let runSums = runs.models, let foldSums = folds.models {
            let results = ModelBootstrap.run([runSums, foldSums], options: intervals)
            table.roiInterRunsInterval = results[0].interval
            table.roiInterFoldsInterval = results[1].interval
            (table.roiDifferenceInterval, table.roiDifferenceP) = ModelBootstrap.difference(results[0], results[1], level: intervals.level)
        }
        return table
    }

    /// The mean probability over evaluations whose two models differ in run (or fold) and
    /// agree on the rest of their identity, and its sums model pair by model pair.
    private static func probability(_ evaluations: [EvaluationSample]) -> (runs: Mean, folds: Mean, runModels: ModelPairSums, foldModels: ModelPairSums) {
        var index = ModelIndex(), means = [Mean(), Mean()], sums: [[(Int, Int, Double)]] = [[], []]
        for evaluation in evaluations {
            for (side, field) in [StudyField.run, .fold].enumerated()
            where !evaluation.agrees(on: [field]) && evaluation.agrees(on: StudyField.modelIdentity.filter { $0 != field }) {
                means[side].add(evaluation.probability)
                sums[side].append((index.number(evaluation.mask), index.number(evaluation.evaluator), evaluation.probability))
            }
        }
        let models = sums.map { index.sums(of: $0) }
        return (means[0], means[1], models[0], models[1])
    }
}

/// The models of evaluations (the masks' and the evaluators'), numbered by their fold and
/// run as they are met; `fixed` (run or fold), when given, counts as one level.
struct ModelIndex {
    var fixed: StudyField? = nil
    private var numbers: [[SettingValue]: Int] = [:]
    private(set) var folds: [SettingValue] = [], runs: [SettingValue] = []

    init(fixing fixed: StudyField? = nil) { self.fixed = fixed }

    mutating func number(_ fields: [StudyField: SettingValue]) -> Int {
        let key = [StudyField.fold, .run].map { $0 == fixed ? .missing : fields[$0] ?? .missing }
        if let known = numbers[key] { return known }
        numbers[key] = folds.count
        folds.append(key[0])
        runs.append(key[1])
        return folds.count - 1
    }

    /// The model pair sums of evaluations (a, b, probability), models numbered here.
    func sums(of evaluations: [(Int, Int, Double)]) -> ModelPairSums {
        var sums = ModelPairSums(folds: folds, runs: runs)
        for (a, b, p) in evaluations { sums.add(a, b, sum: p, count: 1) }
        return sums
    }
}

/// Each sample's model as a number (its fold and run), for the model bootstrap.
struct ModelNumbers {
    var model: [Int]
    var folds: [SettingValue] = [], runs: [SettingValue] = []

    init(_ samples: [MaskSample]) {
        model = [Int](repeating: 0, count: samples.count)
        for (number, members) in Pairing.groupIndices(samples, by: [.fold, .run]).enumerated() {
            for member in members { model[member] = number }
            folds.append(samples[members[0]][.fold])
            runs.append(samples[members[0]][.run])
        }
    }

    /// The mean of `measure` over the pairs differing in `field`, and its sums model pair by
    /// model pair (nil when the pairs pool over models, which the model bootstrap cannot resample).
    func sums(_ samples: [MaskSample], differingIn field: StudyField, pairing: Pairing, measure: PairMeasure) -> (mean: Mean, models: ModelPairSums?) {
        let byModel = Self.pairsAreOfModels(differingIn: field, pairing: pairing)
        var sum = CompensatedSum(), count = 0, models = ModelPairSums(folds: folds, runs: runs)
        measure.forEachPartSum(samples, differingIn: field, pairing: pairing) { _, _, s, n, x, y in
            sum.add(s)
            count += n
            if byModel { models.add(model[x], model[y], sum: s, count: n) }
        }
        return (Mean(sum: sum.value, count: count), byModel ? models : nil)
    }

    /// True when a part of a pairing group is of one model: the pairs agree on the model's
    /// identity but `field`.
    static func pairsAreOfModels(differingIn field: StudyField, pairing: Pairing) -> Bool {
        StudyField.modelIdentity.allSatisfy { $0 == field || pairing.matches($0) }
    }
}
