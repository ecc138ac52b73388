import StudyCore
import Testing

@testable import Analysis

/// The model bootstrap of a mean over masks against its definition: each resampled study
/// built mask copy by mask copy (a mask of model (f, r) copied w_f x w_r times) and its
/// mean computed over the copies.
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

    static func quantile(_ values: [Double], _ q: Double) -> Double {
        let sorted = values.sorted(), position = q * Double(sorted.count - 1)
        let low = Int(position), high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }

    @Test func topRegionIntervalsAreThoseOfTheResampledStudies() throws {
        let options = IntervalOptions(level: 0.8, resamples: 60, seed: 9)
        let regions = (0..<4).map { (label: $0 + 1, name: "R\($0)") }
        let rows = TopRegions.rank(Self.samples, regions: regions, k: 4, by: nil, mergeHemispheres: false, intervals: options)
        #expect(rows.count == 4)
        // The same draws as the bootstrap: per resample, the folds, then the runs.
        var random = SplitMix64(seed: options.seed)
        var means = Array(repeating: [Double](), count: 4)
        for _ in 0..<options.resamples {
            var foldDraws = [0, 0], runDraws = [0, 0, 0]
            for _ in 0..<2 { foldDraws[random.below(2)] += 1 }
            for _ in 0..<3 { runDraws[random.below(3)] += 1 }
            var copies: [MaskSample] = []
            for sample in Self.samples {
                guard case .number(let f) = sample[.fold], case .number(let r) = sample[.run] else { Issue.record("no fold"); return }
                copies += Array(repeating: sample, count: foldDraws[Int(f)] * runDraws[Int(r)])
            }
            for region in 0..<4 {
                let values = copies.compactMap { $0.densities[region] }
                means[region].append(values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count))
            }
        }
        for row in rows {
            let region = try #require(row.region.label) - 1
            let interval = try #require(row.meanDensityInterval)
            let finite = means[region].filter(\.isFinite)
            #expect(abs(interval.lower - Self.quantile(finite, 0.1)) < 1e-12)
            #expect(abs(interval.upper - Self.quantile(finite, 0.9)) < 1e-12)
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
    /// mix, so each resampled mean is 1, 3 or 2, and a wide interval spans 1 to 3.
    @Test func handMadeWeights() throws {
        var sums = ModelMeanSums(folds: [.number(0), .number(0)], runs: [.number(0), .number(1)], measures: 1)
        sums.add(model: 0, measure: 0, 1)
        sums.add(model: 1, measure: 0, 3)
        let result = MaskMeanBootstrap.run(sums, options: IntervalOptions(level: 0.95, resamples: 400, seed: 2))[0]
        #expect(Set(result.means) == [1, 2, 3])
        #expect(result.interval == Interval(lower: 1, upper: 3))
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
