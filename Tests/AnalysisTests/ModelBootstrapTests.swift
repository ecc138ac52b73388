import DemoStudy
import StudyCore
import Testing

@testable import Analysis

/// The model bootstrap and the random-pair baseline against the definitions computed
/// independently: every resampled study built model copy by model copy, every pair of it
/// enumerated and its cosine computed one by one.
struct ModelBootstrapTests {
    static let samples = LinearPairsTests.samples(seed: 11, count: 90)

    /// The resampled inter-run and inter-fold means of one resample, from the drawn slots:
    /// fold slot i and run slot j hold model (folds[i], runs[j]); inter-run pairs share the
    /// fold slot, inter-fold pairs the run slot, and a model is never paired with its copy.
    static func resampledMeans(folds: [SettingValue], runs: [SettingValue], drawnFolds: [Int], drawnRuns: [Int], pairing: Pairing) -> (runs: Double, folds: Double) {
        func mean(differingIn field: StudyField) -> Double {
            let agree = pairing.fields(of: samples, differingIn: field).filter { $0 != .fold && $0 != .run }
            var sum = 0.0, count = 0
            let slots = drawnFolds.indices.flatMap { i in drawnRuns.indices.map { j in (i, j) } }
            for (s, t) in slots.enumerated().flatMap({ a in slots.enumerated().map { (a, $0) } }) where s.offset < t.offset {
                let (p, q) = (s.element, t.element)
                let (foldP, runP, foldQ, runQ) = (folds[drawnFolds[p.0]], runs[drawnRuns[p.1]], folds[drawnFolds[q.0]], runs[drawnRuns[q.1]])
                let pairs = field == .run ? p.0 == q.0 && p.1 != q.1 && runP != runQ : p.1 == q.1 && p.0 != q.0 && foldP != foldQ
                guard pairs else { continue }
                for x in samples where x[.fold] == foldP && x[.run] == runP {
                    for y in samples where y[.fold] == foldQ && y[.run] == runQ && agree.allSatisfy({ x[$0] == y[$0] }) {
                        guard let c = Similarity.cosine(x.densities, y.densities) else { continue }
                        sum += c
                        count += 1
                    }
                }
            }
            return count > 0 ? sum / Double(count) : .nan
        }
        return (mean(differingIn: .run), mean(differingIn: .fold))
    }

    static func quantile(_ values: [Double], _ q: Double) -> Double {
        let sorted = values.sorted(), position = q * Double(sorted.count - 1)
        let low = Int(position), high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }

    static func sampleVariance(_ values: [Double]) -> Double {
        let finite = values.filter(\.isFinite), mean = finite.reduce(0, +) / Double(finite.count)
        return finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(finite.count - 1)
    }

    /// The interval the documentation gives from the three kinds of resampled means: the
    /// mean squares M_f, M_r, M_e of the folds-only, runs-only and both-resampled bootstrap
    /// variances; for pairs each of one fold (`cluster` .fold) max(M_f, M_f + M_r - M_e), of one
    /// run likewise, else the crossed design's components s_fold/R, s_run/C, s_model/(RC) each
    /// truncated at 0; the t quantile with Satterthwaite's degrees of freedom.
    static func expected(estimate: Double, both: [Double], foldsOnly: [Double], runsOnly: [Double], folds r: Double, runs c: Double, cluster: Cluster, level: Double) -> (Interval, p: Double) {
        let (vBoth, vFolds, vRuns) = (sampleVariance(both), sampleVariance(foldsOnly), sampleVariance(runsOnly))
        let model = max(0, vBoth - vFolds - vRuns) * r * c / ((r - 1) * (c - 1))
        let (msFolds, msRuns) = (vFolds * r / (r - 1), vRuns * c / (c - 1))
        let variance: Double, df: Double
        let (dFolds, dRuns, dModels) = (r - 1, c - 1, (r - 1) * (c - 1))
        let whole = msFolds + msRuns - model
        let wholeDf = whole * whole / (msFolds * msFolds / dFolds + msRuns * msRuns / dRuns + model * model / dModels)
        switch cluster {
        case .fold: (variance, df) = whole > msFolds ? (whole, wholeDf) : (msFolds, dFolds)
        case .run: (variance, df) = whole > msRuns ? (whole, wholeDf) : (msRuns, dRuns)
        case .neither:
            let fold = max(0, msFolds - model), run = max(0, msRuns - model)
            variance = fold + run + model
            // Satterthwaite: fold + run + model as mean squares (fold + model, run + model, model).
            let (mf, mr) = (fold > 0 ? fold + model : 0, run > 0 ? run + model : 0)
            let me = model * (1 - (fold > 0 ? 1 : 0) - (run > 0 ? 1 : 0))
            df = variance * variance / (mf * mf / dFolds + mr * mr / dRuns + me * me / dModels)
        }
        let half = StudentT.quantile(1 - (1 - level) / 2, degreesOfFreedom: df) * variance.squareRoot()
        let p = 2 * StudentT.upperTail(abs(estimate) / variance.squareRoot(), degreesOfFreedom: df)
        return (Interval(lower: estimate - half, upper: estimate + half), p)
    }

    @Test(arguments: [Pairing.settings, Pairing(ignore: [StudyField.parameter("seed")])])
    func intervalsAreThoseOfTheResampledStudies(pairing: Pairing) throws {
        let options = IntervalOptions(level: 0.9, resamples: 40, seed: 5)
        let table = Robustness.compute(Self.samples, [], pairing: pairing, intervals: options)
        let folds = Set(Self.samples.map { $0[.fold] }).sorted(), runs = Set(Self.samples.map { $0[.run] }).sorted()
        // The same draws as the bootstrap: per resample, the folds, then the runs; each
        // resample's means with both, with only the folds (every run once) and with only the
        // runs resampled.
        var random = SplitMix64(seed: options.seed)
        var both: [(runs: Double, folds: Double)] = [], foldsOnly = both, runsOnly = both
        for _ in 0..<options.resamples {
            let drawnFolds = folds.indices.map { _ in random.below(folds.count) }
            let drawnRuns = runs.indices.map { _ in random.below(runs.count) }
            both.append(Self.resampledMeans(folds: folds, runs: runs, drawnFolds: drawnFolds, drawnRuns: drawnRuns, pairing: pairing))
            foldsOnly.append(Self.resampledMeans(folds: folds, runs: runs, drawnFolds: drawnFolds, drawnRuns: Array(runs.indices), pairing: pairing))
            runsOnly.append(Self.resampledMeans(folds: folds, runs: runs, drawnFolds: Array(folds.indices), drawnRuns: drawnRuns, pairing: pairing))
        }
        let (r, c) = (Double(folds.count), Double(runs.count))
        let runInterval = try #require(table.roiInterRunsInterval), foldInterval = try #require(table.roiInterFoldsInterval)
        let runsMean = try #require(table.roiInterRuns.value), foldsMean = try #require(table.roiInterFolds.value)
        let runExpected = Self.expected(estimate: runsMean, both: both.map(\.runs), foldsOnly: foldsOnly.map(\.runs), runsOnly: runsOnly.map(\.runs), folds: r, runs: c, cluster: .fold, level: 0.9)
        let foldExpected = Self.expected(estimate: foldsMean, both: both.map(\.folds), foldsOnly: foldsOnly.map(\.folds), runsOnly: runsOnly.map(\.folds), folds: r, runs: c, cluster: .run, level: 0.9)
        #expect(abs(runInterval.lower - runExpected.0.lower) < 1e-12 && abs(runInterval.upper - runExpected.0.upper) < 1e-12)
        #expect(abs(foldInterval.lower - foldExpected.0.lower) < 1e-12 && abs(foldInterval.upper - foldExpected.0.upper) < 1e-12)
        // The difference: the same method on the resampled differences, its p the level at
        // which its interval reaches 0.
        let minus = { (x: [(runs: Double, folds: Double)]) in x.map { $0.runs - $0.folds } }
        let differenceExpected = Self.expected(estimate: runsMean - foldsMean, both: minus(both), foldsOnly: minus(foldsOnly), runsOnly: minus(runsOnly), folds: r, runs: c, cluster: .neither, level: 0.9)
        let difference = try #require(table.roiDifferenceInterval), p = try #require(table.roiDifferenceP)
        #expect(abs(difference.lower - differenceExpected.0.lower) < 1e-12 && abs(difference.upper - differenceExpected.0.upper) < 1e-12)
        #expect(abs(p - differenceExpected.p) < 1e-12)
        let atP = Self.expected(estimate: runsMean - foldsMean, both: minus(both), foldsOnly: minus(foldsOnly), runsOnly: minus(runsOnly), folds: r, runs: c, cluster: .neither, level: 1 - p).0
        #expect(abs(runsMean - foldsMean > 0 ? atP.lower : atP.upper) < 1e-9)
        #expect(runInterval.lower <= runsMean && runsMean <= runInterval.upper)
    }

    @Test func studentQuantilesAndTailsAsScipyGivesThem() {
        // scipy.stats.t.ppf(0.975, [4, 8, 2.5]), t.ppf(0.95, 30.7), t.sf(2, 3), t.sf(0.5, 1.5)
        for (p, df, t) in [(0.975, 4.0, 2.7764451051977934), (0.975, 8, 2.306004135204166), (0.975, 2.5, 3.5746548420036817), (0.95, 30.7, 1.6960291330242738)] {
            #expect(abs(StudentT.quantile(p, degreesOfFreedom: df) - t) < 1e-12)
            #expect(abs(StudentT.quantile(1 - p, degreesOfFreedom: df) + t) < 1e-12)
        }
        #expect(abs(StudentT.upperTail(2, degreesOfFreedom: 3) - 0.06966298427942152) < 1e-14)
        #expect(abs(StudentT.upperTail(0.5, degreesOfFreedom: 1.5) - 0.34028355533497) < 1e-13)
        #expect(StudentT.upperTail(0, degreesOfFreedom: 5) == 0.5)
    }

    /// On a table y_ij = a_i + b_j + e_ij (its mean's exact bootstrap variances known), the
    /// variance is the two-way ANOVA's unbiased estimate of the mean's variance.
    @Test func theVarianceOfATableIsTheAnovaEstimate() throws {
        let (r, c) = (4, 6)
        var random = SplitMix64(seed: 8)
        let y = (0..<r).map { _ in (0..<c).map { _ in random.unit() } }
        let mean = y.joined().reduce(0, +) / Double(r * c)
        let rows = y.map { $0.reduce(0, +) / Double(c) }, columns = (0..<c).map { j in y.map { $0[j] }.reduce(0, +) / Double(r) }
        var ssRows = 0.0, ssColumns = 0.0, ssResidual = 0.0
        for i in 0..<r { ssRows += Double(c) * (rows[i] - mean) * (rows[i] - mean) }
        for j in 0..<c { ssColumns += Double(r) * (columns[j] - mean) * (columns[j] - mean) }
        for i in 0..<r { for j in 0..<c { let e = y[i][j] - rows[i] - columns[j] + mean; ssResidual += e * e } }
        let (msRows, msColumns, msResidual) = (ssRows / Double(r - 1), ssColumns / Double(c - 1), ssResidual / Double((r - 1) * (c - 1)))
        // The exact bootstrap variances of the mean, then the estimate from them.
        let vFolds = ssRows / Double(c) / Double(r * r), vRuns = ssColumns / Double(r) / Double(c * c)
        let vBoth = vFolds + vRuns + ssResidual / Double(r * c * r * c)
        let estimate = try #require(ModelBootstrap.variance(variances: (both: vBoth, folds: vFolds, runs: vRuns), foldCount: r, runCount: c))
        let anova = max(0, msRows - msResidual) / Double(r * c) + max(0, msColumns - msResidual) / Double(r * c) + msResidual / Double(r * c)
        #expect(abs(estimate.variance - anova) < 1e-15)
    }

    @Test func theSameSeedGivesTheSameIntervalsAndAnotherOthers() {
        let one = Robustness.compute(Self.samples, [], intervals: IntervalOptions(resamples: 200, seed: 3))
        #expect(one == Robustness.compute(Self.samples, [], intervals: IntervalOptions(resamples: 200, seed: 3)))
        #expect(one.roiInterRunsInterval != Robustness.compute(Self.samples, [], intervals: IntervalOptions(resamples: 200, seed: 4)).roiInterRunsInterval)
    }

    @Test func noIntervalWherePairsPoolOverModelsOrNoResample() {
        #expect(Robustness.compute(Self.samples, [], pairing: Pairing(ignore: [.fold])).roiInterRunsInterval == nil)
        let none = Robustness.compute(Self.samples, [], intervals: IntervalOptions(resamples: 0))
        #expect(none.roiInterRunsInterval == nil && none.roiDifferenceP == nil && none.roiInterRuns.count > 0)
    }

    @Test(arguments: [Pairing.settings, Pairing(match: [StudyField.annotation("site")])])
    func randomPairsAreMasksOfDifferentModelsAndSettings(pairing: Pairing) {
        let samples = Self.samples
        let settings = pairing.fields(of: samples, differingIn: .id).filter { !StudyField.modelIdentity.contains($0) }
        var sum = 0.0, count = 0
        for i in samples.indices {
            for j in samples.indices where j > i {
                let (x, y) = (samples[i], samples[j])
                // Same regions (a pair across grids is left out), another model, another setting.
                guard x.densities.map({ $0 == nil }) == y.densities.map({ $0 == nil }),
                    StudyField.modelIdentity.contains(where: { x[$0] != y[$0] }), settings.contains(where: { x[$0] != y[$0] }),
                    let c = Similarity.cosine(x.densities, y.densities)
                else { continue }
                sum += c
                count += 1
            }
        }
        let baseline = RandomPairs.mean(samples, measure: .vectors(UnitVectors(samples)), pairing: pairing, seed: 1).0
        #expect(baseline.count == count && count > 0)
        #expect(abs(baseline.value! - sum / Double(count)) < 1e-12)
    }

    @Test func quantilesAndPValuesAsNumpyGivesThem() {
        // numpy.percentile([1, 2, 3, 4], [2.5, 97.5]) = [1.075, 3.925]
        let interval = ModelBootstrap.percentile([4, 1, 3, 2], level: 0.95)
        #expect(abs(interval!.lower - 1.075) < 1e-15 && abs(interval!.upper - 3.925) < 1e-15)
        #expect(ModelBootstrap.percentile([.nan, .nan, 1], level: 0.95) == nil)
        #expect(ModelBootstrap.pValue([1, 2, 3]) == 0.5)  // 2 (0 + 1) / 4
        #expect(ModelBootstrap.pValue([-1, 1, 2, 3]) == 0.8)  // 2 (1 + 1) / 5
        #expect(IntervalOptions(level: 0.57, resamples: 10, seed: 2).description.hasPrefix("57% intervals: mean ± t sd"))
        #expect(IntervalOptions(level: 0.975).description.contains("97.5% intervals") && IntervalOptions().description.contains("10000 resamples, seed 1"))
    }
}

/// A fast version of `bash Benchmarks/coverage.sh`: on 40 synthetic studies of the balanced
/// scenario and of the one of large fold and run effects (where the percentile interval fell
/// to 88%), the 95% intervals hold the population means about 95% of the time (40 studies
/// tell 0.85 from 1 at best), far more often than the naive intervals over pairs (which take
/// pairs sharing a model as independent).
struct CoverageTests {
    @Test(arguments: Coverage.scenarios.prefix(2).map(\.name))
    func theIntervalsCoverWhereTheNaiveIntervalDoesNot(scenario name: String) throws {
        var coverage = Coverage(studies: 40, scenario: try #require(Coverage.scenarios.first { $0.name == name }))
        coverage.populationPairs = 20_000
        coverage.intervals = IntervalOptions(resamples: 400)
        let table = coverage.run()
        let rows = table.rows.map { row in row.map { cell -> Double? in if case .number(let n) = cell { n } else { nil } } }
        for row in rows.prefix(2) {  // inter-runs, inter-folds: population, studies, coverage, width, naive coverage
            let (covered, naive) = (try #require(row[3]), try #require(row[5]))
            #expect(covered >= 0.85 && naive <= 0.8, "\(table.rendered(as: .csv))")
        }
        #expect(try #require(rows[2][3]) >= 0.85, "\(table.rendered(as: .csv))")
    }
}
