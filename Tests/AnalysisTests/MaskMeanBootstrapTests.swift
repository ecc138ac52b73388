import StudyCore
import Testing

@testable import Analysis

/// The model bootstrap of a mean over masks against its definition: each resampled study
/// built mask copy by mask copy (a mask of model (f, r) copied w_f x w_r times, or w_f, or
/// w_r) and its mean computed over the copies.
struct MaskMeanBootstrapTests {
    /// Two folds x three runs, one to three masks a model, four regions (one missing in some).
    static let samples: [MaskSample] = {
        var random = SplitMix64(seed: 3)
        var samples: [MaskSample] = []
        for fold in 0..<2 {
            for run in 0..<3 {
                for _ in 0...(fold + run) % 3 {
                    let densities: [Double?] = (0..<4).map { r in r == 3 && run == 1 ? nil : random.unit() }
                    samples.append(MaskSample(
                        id: Int64(samples.count + 1),
                        settings: [.study: .text("s"), .fold: .number(Double(fold)), .run: .number(Double(run)), .model: .text(""),
                                   .lambda1: .number(0.1), .lambda2: .number(0.01)],
                        densities: densities, voxels: [1, 1, 1, 1]))
                }
            }
        }
        return samples
    }()

    @Test func topRegionIntervalsAreThoseOfTheResampledStudies() throws {
        let options = IntervalOptions(level: 0.8, resamples: 60, seed: 9)
        let regions = (0..<4).map { (label: $0 + 1, name: "R\($0)") }
        let rows = TopRegions.rank(Self.samples, regions: regions, k: 4, by: nil, mergeHemispheres: false, intervals: options)
        #expect(rows.count == 4)
        // The same draws as the bootstrap: per resample, the folds, then the runs.
        var random = SplitMix64(seed: options.seed)
        var means = Array(repeating: [Double](), count: 4), foldMeans = means, runMeans = means
        for _ in 0..<options.resamples {
            var foldDraws = [0, 0], runDraws = [0, 0, 0]
            for _ in 0..<2 { foldDraws[random.below(2)] += 1 }
            for _ in 0..<3 { runDraws[random.below(3)] += 1 }
            // Copies with both factors drawn, the folds alone, the runs alone.
            var copies: [[MaskSample]] = [[], [], []]
            for sample in Self.samples {
                guard case .number(let f) = sample[.fold], case .number(let r) = sample[.run] else { Issue.record("no fold"); return }
                copies[0] += Array(repeating: sample, count: foldDraws[Int(f)] * runDraws[Int(r)])
                copies[1] += Array(repeating: sample, count: foldDraws[Int(f)])
                copies[2] += Array(repeating: sample, count: runDraws[Int(r)])
            }
            for region in 0..<4 {
                func mean(_ copies: [MaskSample]) -> Double {
                    let values = copies.compactMap { $0.densities[region] }
                    return values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
                }
                means[region].append(mean(copies[0]))
                foldMeans[region].append(mean(copies[1]))
                runMeans[region].append(mean(copies[2]))
            }
        }
        for row in rows {
            let region = try #require(row.region.label) - 1
            let interval = try #require(row.meanDensityInterval)
            // The interval of those resampled means, the folds x runs table's (a model a cell).
            let runs = region == 3 ? 2 : 3  // region 3 has no voxel in run 1's masks
            let want = try #require(ModelBootstrap.interval(
                BootstrapResult(
                    interval: nil, means: means[region], foldMeans: foldMeans[region], runMeans: runMeans[region],
                    estimate: row.meanDensity, folds: 2, runs: runs, cluster: .neither),
                level: options.level).interval)
            #expect(abs(interval.lower - want.lower) < 1e-12 && abs(interval.upper - want.upper) < 1e-12)
            #expect(interval.lower <= row.meanDensity && row.meanDensity <= interval.upper)
        }
        // The same seed gives the same intervals; another seed others.
        #expect(TopRegions.rank(Self.samples, regions: regions, k: 4, by: nil, mergeHemispheres: false, intervals: options) == rows)
        var other = options
        other.seed = 10
        #expect(TopRegions.rank(Self.samples, regions: regions, k: 4, by: nil, mergeHemispheres: false, intervals: other) != rows)
        // The other columns are those of the ranking without intervals.
        let plain = TopRegions.rank(Self.samples, regions: regions, k: 4, by: nil, mergeHemispheres: false)
        #expect(plain == rows.map { row in
            var row = row
            row.meanDensityInterval = nil
            return row
        })
    }

    /// Two models of one fold, values 1 and 3: a resample draws runs (a, a), (b, b) or a
    /// mix, so each resampled mean is 1, 3 or 2; with one fold, the interval is the runs'
    /// one-way one: 2 ± t(1) sd, sd² = 2 var(resampled means), far wider than 1 to 3.
    @Test func handMadeWeights() throws {
        var sums = ModelMeanSums(folds: [.number(0), .number(0)], runs: [.number(0), .number(1)], measures: 1)
        sums.add(model: 0, measure: 0, 1)
        sums.add(model: 1, measure: 0, 3)
        let result = MaskMeanBootstrap.run(sums, options: IntervalOptions(level: 0.95, resamples: 400, seed: 2))[0]
        #expect(Set(result.means) == [1, 2, 3])
        let finite = result.means, m = finite.reduce(0, +) / Double(finite.count)
        let sd = (2 * finite.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(finite.count - 1)).squareRoot()
        let half = StudentT.quantile(0.975, degreesOfFreedom: 1) * sd
        let interval = try #require(result.interval)
        #expect(abs(interval.lower - (2 - half)) < 1e-12 && abs(interval.upper - (2 + half)) < 1e-12 && half > 1)
        // A model of two masks (3 and 5) weighs twice: (1 + 3 + 5) / 3 when both runs are drawn once.
        sums.add(model: 1, measure: 0, 5)
        let weighted = MaskMeanBootstrap.run(sums, options: IntervalOptions(level: 0.95, resamples: 400, seed: 2))[0]
        #expect(Set(weighted.means) == [1, 3, 4])
        // One model: nothing to resample.
        var one = ModelMeanSums(folds: [.number(0)], runs: [.number(0)], measures: 1)
        one.add(model: 0, measure: 0, 1)
        #expect(MaskMeanBootstrap.run(one, options: IntervalOptions())[0].interval == nil)
    }
}
