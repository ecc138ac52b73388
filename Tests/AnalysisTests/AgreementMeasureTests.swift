import StudyCore
import Testing

@testable import Analysis

/// The measures beyond the ROI cosine against their definitions computed independently:
/// scipy's values, Nogueira's formula, and every pair of a study measured one by one.
struct AgreementMeasureTests {
    // MARK: Independent definitions (plain formulas over the regions both masks have)

    static func shared(_ a: [Double?], _ b: [Double?]) -> ([Double], [Double]) {
        let pairs = zip(a, b).compactMap { x, y in x.flatMap { x in y.map { (x, $0) } } }
        return (pairs.map(\.0), pairs.map(\.1))
    }

    static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
        let sxy = zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let sxx = x.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }, syy = y.reduce(0) { $0 + ($1 - my) * ($1 - my) }
        guard sxx > 1e-300, syy > 1e-300 else { return nil }
        return sxy / (sxx * syy).squareRoot()
    }

    /// Ranks by counting: the values below, plus the average position among the equal ones.
    static func ranks(_ x: [Double]) -> [Double] {
        x.map { v in Double(x.count { $0 < v }) + Double(x.count { $0 == v } + 1) / 2 }
    }

    /// The top k positions: no other positive value beats it (greater, or equal at a smaller position) k times.
    static func top(_ x: [Double], k: Int) -> Set<Int> {
        Set(x.indices.filter { i in x[i] > 0 && x.indices.count { j in x[j] > x[i] || (x[j] == x[i] && j < i) } < k })
    }

    static func indicator(_ x: [Double], k: Int) -> [Double] {
        let t = top(x, k: k)
        return x.indices.map { t.contains($0) ? 1 : 0 }
    }

    static func reference(_ measure: String, k: Int) -> ([Double?], [Double?]) -> Double? {
        { a, b in
            let (x, y) = shared(a, b)
            switch measure {
            case "pearson": return pearson(x, y)
            case "spearman": return pearson(ranks(x), ranks(y))
            case "stability": return pearson(indicator(x, k: k), indicator(y, k: k))
            case "jaccard":
                let (s, t) = (top(x, k: k), top(y, k: k))
                return s.union(t).isEmpty ? nil : Double(s.intersection(t).count) / Double(s.union(t).count)
            default: return Similarity.cosine(a, b)
            }
        }
    }

    static func measure(_ name: String, _ samples: [MaskSample], k: Int) -> PairMeasure {
        switch name {
        case "pearson": return .vectors(UnitVectors(samples, measure: .pearson))
        case "spearman": return .vectors(UnitVectors(samples, measure: .spearman))
        case "stability": return .vectors(UnitVectors(samples, measure: .stability(k: k)))
        case "jaccard":
            let sets = TopRegionSets(samples, k: k)
            return .pairs { sets.jaccard($0, $1) }
        default: return .vectors(UnitVectors(samples))
        }
    }

    static let measures = ["pearson", "spearman", "stability", "jaccard"]

    // MARK: Values of scipy and Nogueira

    @Test func pearsonAndSpearmanEqualScipy() throws {
        // scipy.stats.pearsonr and spearmanr (average ranks for the ties 0.1, 0.1 and 0.7, 0.7 and 0.4, 0.4).
        let x: [Double?] = [0.3, 0.1, 0.1, 0.7, 0.0, 0.7, 0.2], y: [Double?] = [0.5, 0.2, 0.4, 0.4, 0.1, 0.9, 0.0]
        #expect(abs(try #require(VectorMeasure.pearson.value(x, y)) - 0.7139566111138627) < 1e-14)
        #expect(abs(try #require(VectorMeasure.spearman.value(x, y)) - 0.6422288629903771) < 1e-14)
        // A region one mask lacks is left out of both.
        let shorter = try #require(VectorMeasure.pearson.value(x + [nil], y + [0.8]))
        #expect(abs(shorter - 0.7139566111138627) < 1e-14)
        // A constant profile has no correlation; a mask perturbing no region has no top k.
        #expect(VectorMeasure.pearson.value([0.2, 0.2, 0.2], [0.1, 0.5, 0.3]) == nil)
        #expect(VectorMeasure.stability(k: 2).value([0, 0, 0], [0.1, 0.5, 0.3]) == nil)
    }

    @Test func stabilityAveragedOverPairsIsNogueirasEstimator() {
        // Nogueira et al. (2018), Φ = 1 - mean_f s_f² / ((k/d)(1 - k/d)) over M selections of k of d
        // features, s_f² = M/(M-1) p_f (1 - p_f): numpy gives 0.3055555555555556 for these four.
        let selections: [[Double?]] = [[0.9, 0.8, 0.1, 0.05, 0.01], [0.9, 0.1, 0.8, 0.05, 0.01], [0.7, 0.9, 0.2, 0.1, 0], [0.1, 0.9, 0.8, 0, 0]]
        var sum = 0.0, pairs = 0
        for i in selections.indices {
            for j in selections.indices where j > i {
                sum += VectorMeasure.stability(k: 2).value(selections[i], selections[j])!
                pairs += 1
            }
        }
        #expect(abs(sum / Double(pairs) - 0.3055555555555556) < 1e-14)
        // Random selections of 3 of 40 regions: the same identity, against the formula computed here.
        var random = SplitMix64(seed: 9)
        let masks = (0..<12).map { _ in (0..<40).map { _ in Optional(random.unit()) } }
        let (m, d, k) = (Double(masks.count), 40.0, 3)
        let z = masks.map { Self.indicator($0.map { $0! }, k: k) }
        let meanS2 = (0..<40).map { f in
            let p = z.map { $0[f] }.reduce(0, +) / m
            return m / (m - 1) * p * (1 - p)
        }.reduce(0, +) / d
        let phi = 1 - meanS2 / ((Double(k) / d) * (1 - Double(k) / d))
        var total = 0.0, count = 0
        for i in masks.indices {
            for j in masks.indices where j > i {
                total += VectorMeasure.stability(k: k).value(masks[i], masks[j])!
                count += 1
            }
        }
        #expect(abs(total / Double(count) - phi) < 1e-12)
    }

    @Test func topRegionJaccardCountsTheSharedRegions() {
        let sets = TopRegionSets([
            MaskSample(id: 1, settings: [:], densities: [0.9, 0.8, 0.8, 0, 0.1], voxels: []),
            MaskSample(id: 2, settings: [:], densities: [0.1, 0.8, 0.9, 0.95, nil], voxels: []),
            MaskSample(id: 3, settings: [:], densities: [0, 0, 0, 0, 0], voxels: []),
        ], k: 2)
        // Mask 1's top 2: regions 0 and 1 (the tie 0.8 by order); mask 2's over the regions both
        // have (4 is absent in mask 2): 3 and 2 against mask 1's 0 and 1 there.
        #expect(sets.jaccard(0, 1) == 0)
        #expect(TopRegionSets.jaccard([0.9, 0.8, 0.8, 0, 0.1], [0.8, 0.9, 0.1, 0, nil], k: 2) == 1)
        #expect(sets.jaccard(0, 2) == 0)
        #expect(sets.jaccard(2, 2) == nil)
    }

    // MARK: Every pair of a study

    @Test(arguments: measures)
    func similarityCellsAreTheMeansOfEveryPair(name: String) {
        // Masks on three grids (regions missing), some all zeros: both of PairCosines' paths.
        for (seed, field) in zip([21, 22, 23] as [UInt64], [StudyField.lambda1, .run, .fold]) {
            let samples = LinearPairsTests.samples(seed: seed, count: 300)
            let matrix = Similarity.matrix(samples, by: field, measure: Self.measure(name, samples, k: 3))
            let reference = LinearPairsTests.reference(samples, by: field, pairing: .settings, value: Self.reference(name, k: 3))
            #expect(matrix.pairs == reference.counts)
            #expect(reference.counts.joined().reduce(0, +) > 0)
            for a in matrix.values.indices {
                for b in matrix.values.indices where a != b && reference.counts[a][b] > 0 {
                    let want = reference.sums[a][b] / Double(reference.counts[a][b])
                    #expect(abs(matrix.means[a][b]! - want) <= 1e-12, "\(name) \(field) \(a) \(b)")
                }
            }
        }
    }

    @Test(arguments: measures)
    func robustnessAndItsBaselineAreTheMeansOfEveryPair(name: String) throws {
        let samples = LinearPairsTests.samples(seed: 31, count: 240)
        let table = Robustness.compute(samples, [], measure: Self.measure(name, samples, k: 3), intervals: IntervalOptions(resamples: 50))
        let value = Self.reference(name, k: 3)
        for (field, mean) in [(StudyField.run, table.roiInterRuns), (.fold, table.roiInterFolds)] {
            let reference = LinearPairsTests.reference(samples, by: field, pairing: .settings, value: value)
            let count = reference.counts.joined().reduce(0, +) / 2, sum = reference.sums.joined().reduce(0, +) / 2
            #expect(mean.count == count && count > 0)
            #expect(abs(mean.value! - sum / Double(count)) <= 1e-12)
        }
        #expect(table.roiInterRunsInterval != nil && table.roiDifferenceP != nil)
        // The baseline: pairs of different models (fold and run) and different settings, all
        // on the grids they share (a cosine-type measure's fast sums need the same regions).
        let settings: [StudyField] = [.lambda1, .lambda2, .parameter("seed")]
        var sum = 0.0, count = 0
        for i in samples.indices {
            for j in samples.indices where j > i {
                let (x, y) = (samples[i], samples[j])
                guard x[.fold] != y[.fold] || x[.run] != y[.run], settings.contains(where: { x[$0] != y[$0] }) else { continue }
                if name != "jaccard" && x.densities.map({ $0 != nil }) != y.densities.map({ $0 != nil }) { continue }
                guard let v = value(x.densities, y.densities) else { continue }
                sum += v
                count += 1
            }
        }
        #expect(table.roiRandomPairs.count == count && !table.roiRandomPairsSampled)
        #expect(abs(table.roiRandomPairs.value! - sum / Double(count)) <= 1e-12)
    }

    @Test func aBaselineOfTooManyPairsIsASeededSample() throws {
        // 1,500 masks: 1,124,250 pairs, over the limit of those visited one by one.
        // On one grid (every region present), as a study's masks are.
        let samples = LinearPairsTests.samples(seed: 41, count: 1500).map { sample in
            var sample = sample
            sample.densities = sample.densities.map { $0 ?? 0.3 }
            return sample
        }
        let sets = TopRegionSets(samples, k: 3)
        let measure = PairMeasure.pairs { sets.jaccard($0, $1) }
        let first = RandomPairs.mean(samples, measure: measure, pairing: .settings, seed: 3)
        let again = RandomPairs.mean(samples, measure: measure, pairing: .settings, seed: 3)
        let other = RandomPairs.mean(samples, measure: measure, pairing: .settings, seed: 4)
        #expect(first.sampled && first.0 == again.0 && first.0 != other.0)
        #expect(first.0.count > RandomPairs.pairLimit / 2 && first.0.count <= RandomPairs.pairLimit)
        // Each mask's model and setting read once (the loop visits 1.1 million pairs).
        let model = samples.map { [$0[.fold], $0[.run]] }, setting = samples.map { [$0[.lambda1], $0[.parameter("seed")]] }
        var sum = 0.0, count = 0
        for i in samples.indices {
            for j in samples.indices where j > i {
                guard model[i] != model[j], setting[i] != setting[j], let v = sets.jaccard(i, j) else { continue }
                sum += v
                count += 1
            }
        }
        // A million draws: the sampled mean within a few standard errors (about 0.0004) of all pairs'.
        #expect(abs(try #require(first.0.value) - sum / Double(count)) < 0.003)
    }

    // MARK: Intervals of prob_cnn

    @Test func probabilityIntervalsResampleTheModelsOfMasksAndEvaluators() throws {
        // 3 folds x 3 runs; each model's mask evaluated by every other model of its fold or run.
        var random = SplitMix64(seed: 61)
        var evaluations: [EvaluationSample] = []
        for f in 0..<3 {
            for r in 0..<3 {
                for g in 0..<3 {
                    for s in 0..<3 where (g == f) != (s == r) {
                        evaluations.append(EvaluationSample(
                            maskID: Int64(f * 3 + r + 1),
                            mask: [.study: .text("s"), .fold: .number(Double(f)), .run: .number(Double(r)), .model: .text("")],
                            evaluator: [.study: .text("s"), .fold: .number(Double(g)), .run: .number(Double(s)), .model: .text("")],
                            subjects: "test", trueLabel: "AD", probability: random.unit()))
                    }
                }
            }
        }
        let options = IntervalOptions(level: 0.9, resamples: 300, seed: 12)
        let table = Robustness.compute([], evaluations, intervals: options)
        #expect(table.probInterRuns.count == 18 && table.probInterFolds.count == 18)
        // The same draws: per resample 3 folds, then 3 runs; an evaluation weighs its mask
        // model's fold and run draws, times the evaluator's fold (run) where it differs.
        var draws = SplitMix64(seed: options.seed)
        var runMeans: [Double] = [], foldMeans: [Double] = []
        for _ in 0..<options.resamples {
            var wf = [Double](repeating: 0, count: 3), wr = [Double](repeating: 0, count: 3)
            for _ in 0..<3 { wf[draws.below(3)] += 1 }
            for _ in 0..<3 { wr[draws.below(3)] += 1 }
            var sums = [0.0, 0.0], counts = [0.0, 0.0]
            for e in evaluations {
                guard case .number(let f) = e.mask[.fold]!, case .number(let r) = e.mask[.run]!,
                    case .number(let g) = e.evaluator[.fold]!, case .number(let s) = e.evaluator[.run]!
                else { continue }
                var weight = wf[Int(f)] * wr[Int(r)]
                if g != f { weight *= wf[Int(g)] }
                if s != r { weight *= wr[Int(s)] }
                let side = g == f ? 0 : 1
                sums[side] += weight * e.probability
                counts[side] += weight
            }
            runMeans.append(counts[0] > 0 ? sums[0] / counts[0] : .nan)
            foldMeans.append(counts[1] > 0 ? sums[1] / counts[1] : .nan)
        }
        // The bootstrap of these sums resamples exactly those weights; its interval is the table's.
        var folds: [SettingValue] = [], runs: [SettingValue] = []
        for f in 0..<3 { for r in 0..<3 { folds.append(.number(Double(f))); runs.append(.number(Double(r))) } }
        var sums = [ModelPairSums(folds: folds, runs: runs), ModelPairSums(folds: folds, runs: runs)]
        for e in evaluations {
            guard case .number(let f) = e.mask[.fold]!, case .number(let r) = e.mask[.run]!,
                case .number(let g) = e.evaluator[.fold]!, case .number(let s) = e.evaluator[.run]!
            else { continue }
            sums[g == f ? 0 : 1].add(Int(f) * 3 + Int(r), Int(g) * 3 + Int(s), sum: e.probability, count: 1)
        }
        let results = ModelBootstrap.run(sums, options: options)
        for (got, want) in zip(results[0].means + results[1].means, runMeans + foldMeans) {
            #expect(got.isNaN ? want.isNaN : abs(got - want) < 1e-12)
        }
        // The same intervals, to the rounding of sums added in another order.
        func close(_ a: Interval?, _ b: Interval?) -> Bool {
            guard let a, let b else { return false }
            return abs(a.lower - b.lower) < 1e-12 && abs(a.upper - b.upper) < 1e-12
        }
        #expect(close(table.probInterRunsInterval, results[0].interval) && close(table.probInterFoldsInterval, results[1].interval))
        let difference = ModelBootstrap.difference(results[0], results[1], level: options.level)
        #expect(close(table.probDifferenceInterval, difference.interval) && abs(table.probDifferenceP! - difference.p!) < 1e-9)

        // A cell of the matrix by run: masks of run 0 evaluated by run 1's model of their
        // fold; the runs are what it compares, so only the folds are drawn.
        let matrix = Similarity.prob(evaluations, by: .run, intervals: options)
        let cell = evaluations.filter { $0.mask[.run] == .number(0) && $0.evaluator[.run] == .number(1) && $0.agrees(on: [.fold]) }
        var cellDraws = SplitMix64(seed: options.seed)
        var cellMeans: [Double] = []
        for _ in 0..<options.resamples {
            var wf = [Double](repeating: 0, count: 3)
            for _ in 0..<3 { wf[cellDraws.below(3)] += 1 }
            _ = cellDraws.below(1)  // the runs' one level
            var sum = 0.0, count = 0.0
            for e in cell {
                guard case .number(let f) = e.mask[.fold]! else { continue }
                sum += wf[Int(f)] * e.probability
                count += wf[Int(f)]
            }
            cellMeans.append(count > 0 ? sum / count : .nan)
        }
        let interval = try #require(matrix.intervals?[0][1])
        let want = Self.oneWayInterval(estimate: cell.map(\.probability).reduce(0, +) / Double(cell.count), cellMeans, units: 3, level: 0.9)
        #expect(abs(interval.lower - want.lower) < 1e-12 && abs(interval.upper - want.upper) < 1e-12)
    }

    /// With one factor held fixed, an interval is the one-way cluster bootstrap's: the
    /// estimate ± t(units - 1) sd, sd² = units / (units - 1) times the resampled means' variance.
    static func oneWayInterval(estimate: Double, _ means: [Double], units: Int, level: Double) -> Interval {
        let finite = means.filter(\.isFinite), n = Double(finite.count)
        let mean = finite.reduce(0, +) / n
        let variance = finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1) * Double(units) / Double(units - 1)
        let half = StudentT.quantile(1 - (1 - level) / 2, degreesOfFreedom: Double(units - 1)) * variance.squareRoot()
        return Interval(lower: estimate - half, upper: estimate + half)
    }

    // MARK: Intervals of similarity cells

    @Test func aCellOfTwoRunsResamplesTheFoldsAlone() throws {
        let samples = LinearPairsTests.samples(seed: 51, count: 300)
        let options = IntervalOptions(level: 0.9, resamples: 200, seed: 8)
        let matrix = Similarity.matrix(samples, by: .run, measure: .vectors(UnitVectors(samples)), intervals: options)
        let intervals = try #require(matrix.intervals)
        // Cell (run 0, run 1): per fold, the pairs' sum and count; a resample weighs a fold by
        // how many times it was drawn (the runs, what the cell compares, are not drawn).
        let folds = Set(samples.map { $0[.fold] }).sorted()
        let agree = Pairing.settings.fields(of: samples, differingIn: .run)
        var perFold = [(sum: Double, count: Double)](repeating: (0, 0), count: folds.count)
        for x in samples where x[.run] == matrix.values[0] {
            for y in samples where y[.run] == matrix.values[1] && agree.allSatisfy({ x[$0] == y[$0] }) {
                guard let c = Similarity.cosine(x.densities, y.densities) else { continue }
                let f = folds.firstIndex(of: x[.fold])!
                perFold[f].sum += c
                perFold[f].count += 1
            }
        }
        var random = SplitMix64(seed: options.seed)
        var means: [Double] = []
        for _ in 0..<options.resamples {
            var weight = [Double](repeating: 0, count: folds.count)
            for _ in folds.indices { weight[random.below(folds.count)] += 1 }
            _ = random.below(1)  // the one level of the runs
            let sum = zip(weight, perFold).reduce(0) { $0 + $1.0 * $1.1.sum }, count = zip(weight, perFold).reduce(0) { $0 + $1.0 * $1.1.count }
            means.append(sum / count)
        }
        let interval = try #require(intervals[0][1])
        let estimate = perFold.reduce(0) { $0 + $1.sum } / perFold.reduce(0) { $0 + $1.count }
        let want = Self.oneWayInterval(estimate: estimate, means, units: folds.count, level: 0.9)
        #expect(abs(interval.lower - want.lower) < 1e-12 && abs(interval.upper - want.upper) < 1e-12)
        #expect(intervals[1][0] == interval && intervals[0][0] == nil)
        // The same seed, the same intervals.
        #expect(Similarity.matrix(samples, by: .run, measure: .vectors(UnitVectors(samples)), intervals: options).intervals == matrix.intervals)
    }

    @Test func aCellOfOneModelHasNoInterval() throws {
        // One model (fold 0, run 0) with masks at three λ1: pairs, but no other model to resample.
        let samples = (0..<3).map { i in
            MaskSample(
                id: Int64(i + 1),
                settings: [.study: .text("s"), .fold: .number(0), .run: .number(0), .model: .text(""), .lambda1: .number([0.1, 0.01, 0.001][i])],
                densities: [0.1 * Double(i + 1), 0.5, 0.2], voxels: [1, 1, 1])
        }
        let matrix = Similarity.matrix(samples, by: .lambda1, measure: .vectors(UnitVectors(samples)), intervals: IntervalOptions(resamples: 100))
        #expect(matrix.pairs[0][1] == 1)
        #expect(try #require(matrix.intervals).joined().allSatisfy { $0 == nil })
    }
}
