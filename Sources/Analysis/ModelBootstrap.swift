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
        "\(Self.percent(level))% intervals: mean ± t sd, the variance from bootstraps over models (folds, runs and both "
            + "resampled) combined as variance components, Satterthwaite df; \(resamples) resamples, seed \(seed); "
            + "p: two-sided, the level at which the difference's interval reaches 0"
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

/// What the bootstrap gives of one mean: its interval (nil when too few resamples have pairs),
/// and what the interval is computed from, so that a difference of two means is computed
/// from the same resamples in the same way (`ModelBootstrap.difference`).
public struct BootstrapResult: Sendable, Equatable {
    public var interval: Interval?
    /// The resampled means with folds and runs both resampled (NaN where a resample has no
    /// pair), in resample order.
    var means: [Double]
    /// The same resamples' means with only their folds resampled (every run once), and with
    /// only their runs resampled (every fold once).
    var foldMeans: [Double] = [], runMeans: [Double] = []
    /// The study's own mean (nil without a pair).
    var estimate: Double? = nil
    /// How many folds and how many runs the mean's pairs are of.
    var folds = 0, runs = 0
    /// Whether every pair of the mean is of one fold (inter-run pairs), of one run
    /// (inter-fold pairs), or neither (a difference of both).
    var cluster: Cluster = .neither
}

/// What the pairs of a mean share: each its fold, each its run, or neither.
enum Cluster: Sendable, Equatable {
    case fold, run, neither
}

/// The standard error of a mean over a crossed folds x runs design and its degrees of
/// freedom, from the three bootstraps (`ModelBootstrap.variance`).
struct CrossedVariance: Sendable, Equatable {
    var variance: Double, degreesOfFreedom: Double
}

/// The bootstrap of means over mask pairs that resamples models, not pairs, and the
/// interval it gives.
///
/// A study's models are the cells of a folds x runs design: every model shares its fold
/// (its training and test data) with the other runs of that fold, and its run index with
/// the other folds' models of that run, through which inter-fold pairs are made. Pairs are
/// therefore dependent along both factors, as are the observations of a crossed random
/// effects design, so folds and runs are resampled, independently and with replacement:
/// the pigeonhole bootstrap (Owen 2007, Ann. Appl. Stat. 1(2):386-411), which resamples
/// the rows and the columns of a table. Resampling models one by one would take the 25
/// models of 5 folds x 5 runs as independent, which they are not (they share folds and
/// runs), and resampling pairs would take the pairs as independent.
///
/// A resample gives each fold a weight (how many times it was drawn) and each run one; a
/// pair of masks of models (f, r) and (f', r') weighs w_f v_r, times w_f' when f' != f,
/// times v_r' when r' != r. A model drawn twice is never paired with its copy: such a pair
/// is not in the study (a pair differs in its run or its fold), which censors it by index as
/// Chen et al. (2016, NeuroImage 142:248-259) and BrainIAK's `isc.bootstrap_isc` do for
/// subjects. From the same draws, three resampled means: folds and runs resampled (w, v),
/// folds only (w, v = 1) and runs only (w = 1, v).
///
/// Why not the percentile interval of the pigeonhole means. For a mean over an R x C table
/// y_ij = m + a_i + b_j + e_ij (fold, run and model effects, variances s_a, s_b, s_e), its
/// variance is s_a/R + s_b/C + s_e/(RC). The pigeonhole bootstrap's variance is, to first
/// order, (R-1)/R^2 (s_a + s_e/C) + (C-1)/C^2 (s_b + s_e/R) + (R-1)(C-1)/(RC)^2 s_e: it
/// counts the model (residual) term about three times (the pigeonhole is "mildly
/// conservative": Owen 2007; Owen and Eckles 2012, Ann. Appl. Stat. 6(3):895-927), yet shrinks the fold and run terms by (R-1)/R and (C-1)/C, which with 5
/// folds and 5 runs is 20% of the variance. So it covers too much where masks' own noise
/// dominates and too little where folds and runs do (Benchmarks/README.md measures both).
/// With V_f, V_r and V_fr the bootstrap variances of the folds-only, runs-only and both
/// resampled means (which, for that table, are exactly sum a^_i^2 / R^2, sum b^_j^2 / C^2
/// and their sum plus sum e^_ij^2 / (RC)^2, the ^ being the two-way ANOVA's centred
/// effects), the mean squares of the two-way ANOVA are recovered, divided by their counts:
///
///   M_f = R/(R-1) V_f  (estimates s_a/R + s_e/(RC), R-1 degrees of freedom),
///   M_r = C/(C-1) V_r  (estimates s_b/C + s_e/(RC), C-1 degrees of freedom),
///   M_e = RC/((R-1)(C-1)) (V_fr - V_f - V_r)  (estimates s_e/(RC), (R-1)(C-1) degrees),
///
/// and the variance of the mean is estimated without bias by the method of moments of
/// crossed random effects, M_f + M_r - M_e = (M_f - M_e) + (M_r - M_e) + M_e.
///
/// A mean of pairs is not a table's mean, and where the estimate would be negative the two
/// differ. An inter-run pair is of one fold and two runs: resampling runs multiplies its two
/// runs' weights, so the runs-only and both-resampled bootstraps count a pair's own noise
/// (the two masks' cross term) several times, the folds-only bootstrap once. So for a mean
/// whose pairs are each of one fold (inter-run), M_f is the variance within folds, counted
/// once (a one-way cluster bootstrap: each pair in one cluster), and M_r - M_e the covariance
/// across folds through shared runs, which shared random effects make non-negative: it is
/// truncated at 0, the variance max(M_f, M_f + M_r - M_e). Runs likewise for inter-fold
/// means. A mean of neither kind (the difference of the two) is taken as a table's: each
/// variance component, (M_f - M_e), (M_r - M_e) and M_e, truncated at 0; its pair noise is
/// then over-counted where folds and runs matter little (conservative; Benchmarks/README.md).
///
/// The interval is mean ± t sd, t the Student quantile with the Satterthwaite (1946,
/// Biometrics Bulletin 2(6):110-114) degrees of freedom of that sum of mean squares: from
/// min(R, C) - 1 to (R-1)(C-1), so that 5 folds of large fold effects are taken as 5 draws,
/// not many. A factor of one level (one fold) is not resampled and adds no variance: the
/// interval is then of that fold's study. The difference of two means (inter-runs -
/// inter-folds) is a mean of the same resamples and gets its interval the same way; its
/// p-value is that interval's: the level at which it would just reach 0, 2 P(T_df > |d| / sd).
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
        let resamples = max(0, options.resamples)
        var means = Array(repeating: [Double](), count: statistics.count)
        var foldMeans = means, runMeans = means
        for s in statistics.indices {
            means[s].reserveCapacity(resamples)
            foldMeans[s].reserveCapacity(resamples)
            runMeans[s].reserveCapacity(resamples)
        }
        var foldWeight = [Double](repeating: 0, count: foldList.count), runWeight = [Double](repeating: 0, count: runList.count)
        for _ in 0..<resamples {
            for f in foldWeight.indices { foldWeight[f] = 0 }
            for r in runWeight.indices { runWeight[r] = 0 }
            for _ in foldList.indices { foldWeight[random.below(foldList.count)] += 1 }
            for _ in runList.indices { runWeight[random.below(runList.count)] += 1 }
            for (s, list) in entries.enumerated() {
                // Both resampled, folds only, runs only.
                var sum = (0.0, 0.0, 0.0), count = (0.0, 0.0, 0.0)
                for e in list {
                    var w = foldWeight[e.foldA], v = runWeight[e.runA]
                    if e.foldB != e.foldA { w *= foldWeight[e.foldB] }
                    if e.runB != e.runA { v *= runWeight[e.runB] }
                    let both = w * v
                    sum.0 += both * e.sum
                    count.0 += both * e.count
                    sum.1 += w * e.sum
                    count.1 += w * e.count
                    sum.2 += v * e.sum
                    count.2 += v * e.count
                }
                means[s].append(count.0 > 0 ? sum.0 / count.0 : .nan)
                foldMeans[s].append(count.1 > 0 ? sum.1 / count.1 : .nan)
                runMeans[s].append(count.2 > 0 ? sum.2 / count.2 : .nan)
            }
        }
        return statistics.indices.map { s in
            let list = entries[s]
            let total = list.reduce(0) { $0 + $1.sum }, count = list.reduce(0) { $0 + $1.count }
            var result = BootstrapResult(
                interval: nil, means: means[s], foldMeans: foldMeans[s], runMeans: runMeans[s],
                estimate: count > 0 ? total / count : nil,
                folds: Set(list.flatMap { [$0.foldA, $0.foldB] }).count, runs: Set(list.flatMap { [$0.runA, $0.runB] }).count,
                cluster: Self.cluster(list.map { ($0.foldA == $0.foldB, $0.runA == $0.runB) }))
            result.interval = interval(result, level: options.level).interval
            return result
        }
    }

    /// What a mean's pairs share, from whether each pair's two models share their fold and
    /// their run: pairs of a model with itself (a similarity cell of one model's masks, a mean
    /// over masks) are the cells of the folds x runs table, shared along neither.
    static func cluster(_ shares: [(fold: Bool, run: Bool)]) -> Cluster {
        if shares.allSatisfy({ $0.fold && $0.run }) { return .neither }
        if shares.allSatisfy(\.fold) { return .fold }
        if shares.allSatisfy(\.run) { return .run }
        return .neither
    }

    /// The interval of `a - b` (two results of the same `run`) and its two-sided p-value,
    /// from the differences of their resampled means: the same method as their own intervals.
    public static func difference(_ a: BootstrapResult, _ b: BootstrapResult, level: Double) -> (interval: Interval?, p: Double?) {
        precondition(a.means.count == b.means.count, "results of the same resamples")
        let minus = { (x: [Double], y: [Double]) in zip(x, y).map { $0 - $1 } }
        let difference = BootstrapResult(
            interval: nil, means: minus(a.means, b.means), foldMeans: minus(a.foldMeans, b.foldMeans),
            runMeans: minus(a.runMeans, b.runMeans), estimate: a.estimate.flatMap { x in b.estimate.map { x - $0 } },
            folds: max(a.folds, b.folds), runs: max(a.runs, b.runs))
        guard let estimate = difference.estimate, let spread = variance(difference) else { return (nil, nil) }
        return interval(estimate: estimate, spread, level: level)
    }

    /// A result's interval, mean ± t sd, and the p-value of "the mean is 0" matching it; nil
    /// without an estimate, or when fewer than half the resamples of a kind have a pair (an
    /// interval of the few that do would say more than the data).
    static func interval(_ result: BootstrapResult, level: Double) -> (interval: Interval?, p: Double?) {
        guard let estimate = result.estimate, let spread = variance(result) else { return (nil, nil) }
        return interval(estimate: estimate, spread, level: level)
    }

    static func interval(estimate: Double, _ spread: CrossedVariance, level: Double) -> (interval: Interval?, p: Double?) {
        let sd = spread.variance.squareRoot()
        guard sd > 0 else { return (Interval(lower: estimate, upper: estimate), estimate == 0 ? 1 : 0) }
        let half = StudentT.quantile(1 - (1 - level) / 2, degreesOfFreedom: spread.degreesOfFreedom) * sd
        let p = 2 * StudentT.upperTail(abs(estimate) / sd, degreesOfFreedom: spread.degreesOfFreedom)
        return (Interval(lower: estimate - half, upper: estimate + half), min(1, p))
    }

    /// A result's variance from its three kinds of resampled means; nil when fewer than half
    /// the resamples of a kind have a pair.
    static func variance(_ result: BootstrapResult) -> CrossedVariance? {
        guard let both = sampleVariance(result.means), let folds = sampleVariance(result.foldMeans),
            let runs = sampleVariance(result.runMeans)
        else { return nil }
        return variance(variances: (both, folds, runs), foldCount: result.folds, runCount: result.runs, cluster: result.cluster)
    }

    /// The variance of a mean over `foldCount` folds x `runCount` runs and its degrees of
    /// freedom, from the bootstrap variances of its resampled means with both factors, the
    /// folds only and the runs only resampled (see the type's documentation); nil with one
    /// fold and one run.
    static func variance(variances: (both: Double, folds: Double, runs: Double), foldCount: Int, runCount: Int, cluster: Cluster = .neither) -> CrossedVariance? {
        let (vBoth, vFolds, vRuns) = variances
        let (r, c) = (Double(foldCount), Double(runCount))
        // Mean squares over their counts, with their degrees of freedom; a factor of one
        // level has none (nothing to resample).
        let mFolds = foldCount > 1 ? r / (r - 1) * vFolds : 0, dFolds = r - 1
        let mRuns = runCount > 1 ? c / (c - 1) * vRuns : 0, dRuns = c - 1
        // The variance as a sum of coefficient x mean square: folds, runs, models.
        var mean = [mFolds, mRuns, 0.0], df = [dFolds, dRuns, 1.0], coefficient = [0.0, 0.0, 0.0]
        if foldCount > 1 && runCount > 1 {
            mean[2] = r * c / ((r - 1) * (c - 1)) * max(0, vBoth - vFolds - vRuns)
            df[2] = (r - 1) * (c - 1)
            let whole = mFolds + mRuns - mean[2]
            switch cluster {
            // Pairs each of one fold: M_f is their within-fold variance, M_r - M_e the
            // covariance across folds through shared runs, which is not negative.
            case .fold: coefficient = whole > mFolds ? [1, 1, -1] : [1, 0, 0]
            case .run: coefficient = whole > mRuns ? [1, 1, -1] : [0, 1, 0]
            case .neither:
                // (M_f - M_e)+ + (M_r - M_e)+ + M_e: a truncated component drops its two terms.
                coefficient[2] = 1
                if mFolds > mean[2] { coefficient[0] += 1; coefficient[2] -= 1 }
                if mRuns > mean[2] { coefficient[1] += 1; coefficient[2] -= 1 }
            }
        } else if foldCount > 1 {
            coefficient[0] = 1
        } else if runCount > 1 {
            coefficient[1] = 1
        } else {
            return nil
        }
        let variance = (0..<3).reduce(0) { $0 + coefficient[$1] * mean[$1] }
        let denominator = (0..<3).filter { coefficient[$0] != 0 }.reduce(0) { $0 + (coefficient[$1] * mean[$1]) * (coefficient[$1] * mean[$1]) / df[$1] }
        let degrees = denominator > 0 ? variance * variance / denominator : (0..<3).filter { coefficient[$0] != 0 }.map { df[$0] }.max() ?? 1
        return CrossedVariance(variance: max(0, variance), degreesOfFreedom: max(1, degrees))
    }

    /// The sample variance of the finite `values`; nil when fewer than half are finite or
    /// fewer than two.
    static func sampleVariance(_ values: [Double]) -> Double? {
        let finite = values.filter(\.isFinite)
        guard finite.count >= 2, 2 * finite.count >= values.count else { return nil }
        let mean = finite.reduce(0, +) / Double(finite.count)
        return finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(finite.count - 1)
    }

    /// The percentile interval of the finite `means`; nil when fewer than half the resamples
    /// have a pair. (The intervals are no longer these; kept for callers wanting the
    /// bootstrap distribution's own quantiles.)
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

    /// The two-sided p-value of "the difference is 0" from its resampled values alone: twice
    /// the smaller share of resamples on either side of 0, (k + 1) / (B + 1) so that it is
    /// never 0; the level at which their percentile interval would just reach 0. (Not the
    /// p-value of maskdb's intervals, which is `difference`'s.) Nil without resamples.
    public static func pValue(_ differences: [Double]) -> Double? {
        let finite = differences.filter(\.isFinite)
        guard !finite.isEmpty else { return nil }
        let below = finite.count { $0 <= 0 }, above = finite.count { $0 >= 0 }
        return min(1, 2 * Double(min(below, above) + 1) / Double(finite.count + 1))
    }
}
