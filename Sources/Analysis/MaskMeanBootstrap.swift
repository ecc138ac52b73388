import StudyCore

/// The sums of several measures over the masks of each model (a model being its fold and
/// run): what the model bootstrap of a mean over masks resamples. A few models' entries at
/// any number of masks.
public struct ModelMeanSums: Sendable, Equatable {
    /// Each model's fold and run, by model number.
    let folds: [SettingValue], runs: [SettingValue]
    /// How many measures.
    let measures: Int
    /// By model then measure, at model * measures + measure: the sum of the masks' values and
    /// how many masks have one.
    private(set) var sums: [Double], counts: [Double]

    /// No mask yet, of models numbered as `folds` and `runs` give their folds and runs, each
    /// with `measures` measures.
    public init(folds: [SettingValue], runs: [SettingValue], measures: Int) {
        precondition(folds.count == runs.count, "a fold and a run for each model")
        self.folds = folds
        self.runs = runs
        self.measures = measures
        sums = [Double](repeating: 0, count: folds.count * measures)
        counts = sums
    }

    /// The sums and counts already added up, by model then measure (at model * measures + measure).
    init(folds: [SettingValue], runs: [SettingValue], measures: Int, sums: [Double], counts: [Double]) {
        precondition(folds.count == runs.count && sums.count == folds.count * measures && counts.count == sums.count)
        (self.folds, self.runs, self.measures, self.sums, self.counts) = (folds, runs, measures, sums, counts)
    }

    /// Adds one mask of model `model` whose value of `measure` is `value`.
    public mutating func add(model: Int, measure: Int, _ value: Double) {
        sums[model * measures + measure] += value
        counts[model * measures + measure] += 1
    }

    /// The sums of `chosen` measures alone, in that order (a bootstrap of only the means shown).
    public func selecting(_ chosen: [Int]) -> ModelMeanSums {
        var selected = ModelMeanSums(folds: folds, runs: runs, measures: chosen.count)
        for m in 0..<models {
            for (s, measure) in chosen.enumerated() {
                selected.sums[m * chosen.count + s] = sums[m * measures + measure]
                selected.counts[m * chosen.count + s] = counts[m * measures + measure]
            }
        }
        return selected
    }

    /// How many models have masks.
    var models: Int { folds.count }
}

/// The bootstrap of means over masks that resamples models, not masks: the masks of one
/// model are not independent (they explain one trained network), and the models of a
/// folds x runs design share their fold's data with the other runs and their run's seed
/// with the other folds. So folds and runs are drawn independently with replacement, as
/// `ModelBootstrap` draws them for pairs (the same draws from the same seed), and a mask of
/// model (f, r) weighs w_f w_r, the number of times its fold and its run were drawn. The
/// resampled mean of a measure is Σ w_f w_r S_m / Σ w_f w_r n_m over the models m, from each
/// model's sum S_m and count n_m: a pass over the models, never over the masks. The same
/// resamples give the means with the folds alone and the runs alone resampled, and the
/// interval is `ModelBootstrap`'s: mean ± t sd from the variance components of the folds x
/// runs table (a model's masks are its cell).
public enum MaskMeanBootstrap {
    /// Each measure's interval, all from the same resamples; nil for every measure when the
    /// masks are of fewer than two models (nothing to resample).
    public static func run(_ sums: ModelMeanSums, options: IntervalOptions) -> [BootstrapResult] {
        guard sums.models > 1 else { return Array(repeating: BootstrapResult(interval: nil, means: []), count: sums.measures) }
        let foldList = Set(sums.folds).sorted(), runList = Set(sums.runs).sorted()
        let foldIndex = Dictionary(uniqueKeysWithValues: foldList.enumerated().map { ($1, $0) })
        let runIndex = Dictionary(uniqueKeysWithValues: runList.enumerated().map { ($1, $0) })
        let modelFold = sums.folds.map { foldIndex[$0]! }, modelRun = sums.runs.map { runIndex[$0]! }
        var random = SplitMix64(seed: options.seed)
        let resamples = max(0, options.resamples)
        // By measure then resample; the models' sums read from local arrays in the loop.
        var means = [Double](repeating: .nan, count: sums.measures * resamples), foldMeans = means, runMeans = means
        let modelSums = sums.sums, modelCounts = sums.counts, measures = sums.measures
        var foldWeight = [Double](repeating: 0, count: foldList.count), runWeight = [Double](repeating: 0, count: runList.count)
        var weight = [Double](repeating: 0, count: sums.models)
        var sum = [Double](repeating: 0, count: sums.measures), count = sum
        var foldSum = sum, foldCount = sum, runSum = sum, runCount = sum
        for resample in 0..<resamples {
            for f in foldWeight.indices { foldWeight[f] = 0 }
            for r in runWeight.indices { runWeight[r] = 0 }
            for _ in foldList.indices { foldWeight[random.below(foldList.count)] += 1 }
            for _ in runList.indices { runWeight[random.below(runList.count)] += 1 }
            for m in weight.indices { weight[m] = foldWeight[modelFold[m]] * runWeight[modelRun[m]] }
            for s in sum.indices {
                (sum[s], count[s], foldSum[s], foldCount[s], runSum[s], runCount[s]) = (0, 0, 0, 0, 0, 0)
            }
            for m in weight.indices {
                let (w, wf, wr) = (weight[m], foldWeight[modelFold[m]], runWeight[modelRun[m]]), base = m * measures
                guard wf > 0 || wr > 0 else { continue }
                for s in 0..<measures {
                    let (value, n) = (modelSums[base + s], modelCounts[base + s])
                    sum[s] += w * value
                    count[s] += w * n
                    foldSum[s] += wf * value
                    foldCount[s] += wf * n
                    runSum[s] += wr * value
                    runCount[s] += wr * n
                }
            }
            for s in 0..<measures {
                let at = s * resamples + resample
                if count[s] > 0 { means[at] = sum[s] / count[s] }
                if foldCount[s] > 0 { foldMeans[at] = foldSum[s] / foldCount[s] }
                if runCount[s] > 0 { runMeans[at] = runSum[s] / runCount[s] }
            }
        }
        return (0..<measures).map { s in
            let range = s * resamples..<(s + 1) * resamples
            // The folds and runs of the models with masks of this measure.
            let present = (0..<sums.models).filter { modelCounts[$0 * measures + s] > 0 }
            let total = present.reduce(0.0) { $0 + modelSums[$1 * measures + s] }, n = present.reduce(0.0) { $0 + modelCounts[$1 * measures + s] }
            var result = BootstrapResult(
                interval: nil, means: Array(means[range]), foldMeans: Array(foldMeans[range]), runMeans: Array(runMeans[range]),
                estimate: n > 0 ? total / n : nil, folds: Set(present.map { modelFold[$0] }).count,
                runs: Set(present.map { modelRun[$0] }).count, cluster: .neither)
            result.interval = ModelBootstrap.interval(result, level: options.level).interval
            return result
        }
    }

    /// What a table of such intervals says of them.
    public static func description(_ options: IntervalOptions) -> String {
        "\(IntervalOptions.percent(options.level))% intervals of the mean densities: bootstrap over models "
            + "(folds and runs resampled, crossed; a mask weighs the draws of its fold and its run), mean ± t sd from its variance components, "
            + "\(options.resamples) resamples, seed \(options.seed)"
    }
}
