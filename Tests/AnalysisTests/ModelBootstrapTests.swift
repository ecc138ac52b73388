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

    @Test(arguments: [Pairing.settings, Pairing(ignore: [StudyField.parameter("seed")])])
    func intervalsAreThoseOfTheResampledStudies(pairing: Pairing) throws {
        let options = IntervalOptions(level: 0.9, resamples: 40, seed: 5)
        let table = Robustness.compute(Self.samples, [], pairing: pairing, intervals: options)
        let folds = Set(Self.samples.map { $0[.fold] }).sorted(), runs = Set(Self.samples.map { $0[.run] }).sorted()
        // The same draws as the bootstrap: per resample, the folds, then the runs.
        var random = SplitMix64(seed: options.seed)
        var means: [(runs: Double, folds: Double)] = []
        for _ in 0..<options.resamples {
            let drawnFolds = folds.indices.map { _ in random.below(folds.count) }
            let drawnRuns = runs.indices.map { _ in random.below(runs.count) }
            means.append(Self.resampledMeans(folds: folds, runs: runs, drawnFolds: drawnFolds, drawnRuns: drawnRuns, pairing: pairing))
        }
        let runInterval = try #require(table.roiInterRunsInterval), foldInterval = try #require(table.roiInterFoldsInterval)
        let runMeans = means.map(\.runs).filter(\.isFinite), foldMeans = means.map(\.folds).filter(\.isFinite)
        #expect(abs(runInterval.lower - Self.quantile(runMeans, 0.05)) < 1e-12)
        #expect(abs(runInterval.upper - Self.quantile(runMeans, 0.95)) < 1e-12)
        #expect(abs(foldInterval.lower - Self.quantile(foldMeans, 0.05)) < 1e-12)
        #expect(abs(foldInterval.upper - Self.quantile(foldMeans, 0.95)) < 1e-12)
        let differences = means.map { $0.runs - $0.folds }.filter(\.isFinite)
        let difference = try #require(table.roiDifferenceInterval)
        #expect(abs(difference.lower - Self.quantile(differences, 0.05)) < 1e-12)
        #expect(abs(difference.upper - Self.quantile(differences, 0.95)) < 1e-12)
        let side = min(differences.count { $0 <= 0 }, differences.count { $0 >= 0 })
        #expect(table.roiDifferenceP == min(1, 2 * Double(side + 1) / Double(differences.count + 1)))
        // The point estimates are the study's own means, inside their intervals here.
        #expect(runInterval.lower <= table.roiInterRuns.value! && table.roiInterRuns.value! <= runInterval.upper)
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
        #expect(IntervalOptions(level: 0.57, resamples: 10, seed: 2).description.hasPrefix("57% intervals: percentile bootstrap over models"))
        #expect(IntervalOptions(level: 0.975).description.contains("97.5% intervals") && IntervalOptions().description.contains("10000 resamples, seed 1"))
    }
}

/// A fast version of `bash Benchmarks/coverage.sh`: on 40 synthetic studies of the balanced
/// scenario, the model bootstrap's 95% intervals hold the population means far more often
/// than the naive intervals over pairs (which take pairs sharing a model as independent).
struct CoverageTests {
    @Test func theBootstrapCoversWhereTheNaiveIntervalDoesNot() throws {
        var coverage = Coverage(studies: 40)
        coverage.populationPairs = 20_000
        coverage.intervals = IntervalOptions(resamples: 400)
        let table = coverage.run()
        let rows = table.rows.map { row in row.map { cell -> Double? in if case .number(let n) = cell { n } else { nil } } }
        for row in rows.prefix(2) {  // inter-runs, inter-folds: population, studies, bootstrap coverage, width, naive coverage
            let (bootstrap, naive) = (try #require(row[3]), try #require(row[5]))
            #expect(bootstrap >= 0.9 && naive <= 0.8, "\(table.rendered(as: .csv))")
        }
    }
}
