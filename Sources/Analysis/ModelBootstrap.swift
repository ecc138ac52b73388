import Formatting
import StudyCore

/// How maskdb's intervals are computed: their level, how many resamples and the seed of
/// the generator drawing them (the same seed gives the same intervals, to the last digit).
public struct IntervalOptions: Sendable, Equatable {
    public var level: Double
    public var resamples: Int
    public var seed: UInt64

    public static let defaultLevel = 0.95, defaultResamples = 10_000, defaultSeed: UInt64 = 1

    public init(level: Double = defaultLevel, resamples: Int = defaultResamples, seed: UInt64 = defaultSeed) {
        self.level = level
        self.resamples = resamples
        self.seed = seed
    }

    /// A level as a percentage, e.g. 57 for 0.57 (whose product with 100 is 56.99999999999999).
    public static func percent(_ level: Double) -> String { NumberText.exact((level * 100 * 1e9).rounded() / 1e9) }

    /// What a table showing the intervals says of them.
    public var description: String {
        "\(Self.percent(level))% intervals: percentile bootstrap over models (folds and runs resampled, crossed), "
            + "\(resamples) resamples, seed \(seed); p: two-sided, from the bootstrap of the difference"
    }
}

/// A confidence interval.
public struct Interval: Sendable, Equatable {
    public var lower: Double
    public var upper: Double

    public init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }
}

/// The sums of a measure over the mask pairs of each pair of models, a model being its
/// fold and run: what the model bootstrap resamples (pairs are never resampled one by one,
/// since a model is in many of them).
public struct ModelPairSums: Sendable, Equatable {
    /// Each model's fold and run, by model number.
    let folds: [SettingValue], runs: [SettingValue]
    /// By model pair (a, b), a <= b, at a * models + b.
    private(set) var sums: [Int: Sum] = [:]

    struct Sum: Equatable, Sendable {
        var sum = 0.0, count = 0

        mutating func add(_ value: Double, _ pairs: Int) {
            sum += value
            count += pairs
        }
    }

    /// No pair yet, of models numbered as `folds` and `runs` give their folds and runs.
    public init(folds: [SettingValue], runs: [SettingValue]) {
        precondition(folds.count == runs.count, "a fold and a run for each model")
        self.folds = folds
        self.runs = runs
    }

    /// Adds `count` pairs whose values sum to `sum`, between masks of models `a` and `b`.
    public mutating func add(_ a: Int, _ b: Int, sum: Double, count: Int) {
        guard count > 0 else { return }
        sums[min(a, b) * folds.count + max(a, b), default: Sum()].add(sum, count)
    }
}

/// What the bootstrap gives of one mean: its interval (nil when too few resamples have pairs).
public struct BootstrapResult: Sendable, Equatable {
    public var interval: Interval?
    /// The resampled means (NaN where a resample has no pair), in resample order.
    var means: [Double]
}

/// The bootstrap of means over mask pairs that resamples models, not pairs.
///
/// A study's models are the cells of a folds x runs design: every model shares its fold
/// (its training and test data) with the other runs of that fold, and its run index with
/// the other folds' models of that run, through which inter-fold pairs are made. Pairs are
/// therefore dependent along both factors, so both are resampled, independently and with
/// replacement: the pigeonhole bootstrap of crossed designs (Owen 2007, Ann. Appl. Stat.
/// 1(2):591-614), which resamples the rows and the columns of a table. A resample gives each
/// fold a weight (how many times it was drawn) and each run one; a pair of masks of models
/// (f, r) and (f', r') weighs w_f w_r, times w_f' when f' != f, times w_r' when r' != r. A
/// model drawn twice is never paired with its copy: such a pair is not in the study (a pair
/// differs in its run or fold), which censors it by index as Chen et al. (2016, NeuroImage
/// 142:248-259) do for subjects. The interval is the percentile one, quantiles interpolated
/// linearly between order statistics (numpy's default).
public enum ModelBootstrap {
    /// The bootstrap of each of `statistics` (each a mean: the sum of its pairs' values over
    /// their count), all from the same resamples of the same folds and runs.
    public static func run(_ statistics: [ModelPairSums], options: IntervalOptions) -> [BootstrapResult] {
        // Each statistic's model pairs as fold and run numbers, in a fixed order. The units
        // resampled are the folds and runs of the models in some pair: a fold without a mask
        // in these pairs is not in their sample.
        let present = statistics.map { statistic in
            Set(statistic.sums.keys.flatMap { key in
                let (a, b) = key.quotientAndRemainder(dividingBy: statistic.folds.count)
                return [a, b]
            })
        }
        let foldList = Set(zip(statistics, present).flatMap { s, models in models.map { s.folds[$0] } }).sorted()
        let runList = Set(zip(statistics, present).flatMap { s, models in models.map { s.runs[$0] } }).sorted()
        // One fold and one run: a single model, whose pairs say nothing of other models.
        guard foldList.count > 1 || runList.count > 1 else { return statistics.map { _ in BootstrapResult(interval: nil, means: []) } }
        let foldIndex = Dictionary(uniqueKeysWithValues: foldList.enumerated().map { ($1, $0) })
        let runIndex = Dictionary(uniqueKeysWithValues: runList.enumerated().map { ($1, $0) })
        struct Entry { var foldA, runA, foldB, runB: Int; var sum: Double; var count: Double }
        let entries = statistics.map { statistic in
            statistic.sums.sorted { $0.key < $1.key }.map { key, pairs in
                let (a, b) = key.quotientAndRemainder(dividingBy: statistic.folds.count)
                return Entry(
                    foldA: foldIndex[statistic.folds[a]]!, runA: runIndex[statistic.runs[a]]!,
                    foldB: foldIndex[statistic.folds[b]]!, runB: runIndex[statistic.runs[b]]!,
                    sum: pairs.sum, count: Double(pairs.count))
            }
        }
        var random = SplitMix64(seed: options.seed)
        var means = Array(repeating: [Double](), count: statistics.count)
        var foldWeight = [Double](repeating: 0, count: foldList.count), runWeight = [Double](repeating: 0, count: runList.count)
        for _ in 0..<max(0, options.resamples) {
            for f in foldWeight.indices { foldWeight[f] = 0 }
            for r in runWeight.indices { runWeight[r] = 0 }
            for _ in foldList.indices { foldWeight[random.below(foldList.count)] += 1 }
            for _ in runList.indices { runWeight[random.below(runList.count)] += 1 }
            for (s, list) in entries.enumerated() {
                var sum = 0.0, count = 0.0
                for e in list {
                    var weight = foldWeight[e.foldA] * runWeight[e.runA]
                    if e.foldB != e.foldA { weight *= foldWeight[e.foldB] }
                    if e.runB != e.runA { weight *= runWeight[e.runB] }
                    guard weight > 0 else { continue }
                    sum += weight * e.sum
                    count += weight * e.count
                }
                means[s].append(count > 0 ? sum / count : .nan)
            }
        }
        return means.map { BootstrapResult(interval: percentile($0, level: options.level), means: $0) }
    }

    /// The percentile interval of the finite `means`; nil when fewer than half the resamples
    /// have a pair (an interval of the few that do would say more than the data).
    static func percentile(_ means: [Double], level: Double) -> Interval? {
        let finite = means.filter(\.isFinite).sorted()
        guard !finite.isEmpty, 2 * finite.count >= means.count else { return nil }
        let tail = (1 - level) / 2
        return Interval(lower: quantile(finite, tail), upper: quantile(finite, 1 - tail))
    }

    /// The q-quantile of sorted values, interpolated linearly (numpy's `percentile` default).
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let below = Int(position.rounded(.down)), above = min(below + 1, sorted.count - 1)
        let fraction = position - Double(below)
        return sorted[below] + (sorted[above] - sorted[below]) * fraction
    }

    /// The two-sided p-value of "the difference is 0" from its resampled values: twice the
    /// smaller share of resamples on either side of 0, (k + 1) / (B + 1) so that it is never 0
    /// (the smallest p a bootstrap of B resamples can tell). It is the level at which the
    /// percentile interval of the difference would just reach 0. Nil without resamples.
    public static func pValue(_ differences: [Double]) -> Double? {
        let finite = differences.filter(\.isFinite)
        guard !finite.isEmpty else { return nil }
        let below = finite.count { $0 <= 0 }, above = finite.count { $0 >= 0 }
        return min(1, 2 * Double(min(below, above) + 1) / Double(finite.count + 1))
    }
}
