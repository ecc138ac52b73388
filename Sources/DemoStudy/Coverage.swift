import Analysis
import Foundation
import Reports
import StudyCore

/// Does a 95% interval cover the truth 95% of the time? Synthetic studies drawn from a
/// generative model whose population means are known (estimated by Monte Carlo to about
/// 1e-4), each analysed as maskdb analyses a study; the share of studies whose interval
/// holds the population value, for the model bootstrap and for the naive interval over
/// pairs (mean ± z sd / sqrt(pairs), as if pairs were independent).
///
/// The model: over R regions, a mask of model (fold f, run r) at setting s is
/// x = μ + F_f + G_r + M_fr + S_s + ε, each term Gaussian per region (fold, run, model,
/// setting and mask effects, with their own spreads), μ a fixed profile. Inter-run pairs
/// share μ, F_f and S_s; inter-fold pairs μ, G_r and S_s. A study: 5 folds x 5 runs x 2
/// settings (or a scenario's design), one mask each, every term drawn anew.
public struct Coverage {
    public var studies: Int
    public var folds = 5, runs = 5, settings = 2, regions = 120
    /// How many independent pairs estimate the population means.
    public var populationPairs = 200_000
    public var spread = (fold: 0.08, run: 0.05, model: 0.10, setting: 0.05, mask: 0.10)
    public var intervals = IntervalOptions()

    /// A design and the spreads of its terms.
    public struct Scenario: Sendable, CustomStringConvertible {
        public var name: String, folds: Int, runs: Int
        public var spread: (fold: Double, run: Double, model: Double, setting: Double, mask: Double)

        public var description: String { "\(name): \(folds) folds x \(runs) runs, \(spread)" }
    }

    /// The benchmark's scenarios: each term dominating in turn, and a design of few folds
    /// (2 degrees of freedom for the fold effects) and many runs.
    public static let scenarios = [
        Scenario(name: "balanced", folds: 5, runs: 5, spread: (fold: 0.08, run: 0.05, model: 0.10, setting: 0.05, mask: 0.10)),
        Scenario(name: "shared effects large", folds: 5, runs: 5, spread: (fold: 0.20, run: 0.15, model: 0.05, setting: 0.05, mask: 0.05)),
        Scenario(name: "mask noise large", folds: 5, runs: 5, spread: (fold: 0.03, run: 0.03, model: 0.05, setting: 0.02, mask: 0.30)),
        Scenario(name: "few folds, fold effects large", folds: 3, runs: 8, spread: (fold: 0.15, run: 0.05, model: 0.08, setting: 0.03, mask: 0.08)),
    ]

    public init(studies: Int) { self.studies = studies }

    public init(studies: Int, scenario: Scenario) {
        self.studies = studies
        (folds, runs, spread) = (scenario.folds, scenario.runs, scenario.spread)
    }

    private var profile: [Double] {
        var random = SplitMix64(seed: 2024)
        return (0..<regions).map { _ in random.uniform(0.2...0.8) }
    }

    private static func gaussian(_ random: inout SplitMix64) -> Double {
        // Box-Muller, from (0, 1] to avoid log 0.
        let u = 1 - random.unit(), v = random.unit()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    private func effect(_ sd: Double, _ random: inout SplitMix64) -> [Double] {
        (0..<regions).map { _ in sd * Self.gaussian(&random) }
    }

    private static func cosine(_ a: [Double], _ b: [Double]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) { dot += x * y; na += x * x; nb += y * y }
        return dot / (na.squareRoot() * nb.squareRoot())
    }

    /// The population inter-run and inter-fold means: cosines of independent pairs drawn
    /// from the model, each sharing what such a pair shares.
    public func population() -> (runs: Double, folds: Double) {
        let pairs = populationPairs
        var random = SplitMix64(seed: 99)
        let mu = profile
        var runs = 0.0, folds = 0.0
        for _ in 0..<pairs {
            let (f, g, s) = (effect(spread.fold, &random), effect(spread.run, &random), effect(spread.setting, &random))
            func mask(_ shared: [[Double]]) -> [Double] {
                var x = mu
                for term in shared + [effect(spread.model, &random), effect(spread.mask, &random)] {
                    for r in x.indices { x[r] += term[r] }
                }
                return x
            }
            let (f2, g2) = (effect(spread.fold, &random), effect(spread.run, &random))
            runs += Self.cosine(mask([f, g, s]), mask([f, g2, s]))
            folds += Self.cosine(mask([f, g, s]), mask([f2, g, s]))
        }
        return (runs / Double(pairs), folds / Double(pairs))
    }

    /// One study's masks, as samples.
    public func study(seed: UInt64) -> [MaskSample] {
        var random = SplitMix64(seed: seed)
        let mu = profile
        let foldEffects = (0..<folds).map { _ in effect(spread.fold, &random) }
        let runEffects = (0..<runs).map { _ in effect(spread.run, &random) }
        let settingEffects = (0..<settings).map { _ in effect(spread.setting, &random) }
        var samples: [MaskSample] = []
        for f in 0..<folds {
            for r in 0..<runs {
                let model = effect(spread.model, &random)
                for s in 0..<settings {
                    let noise = effect(spread.mask, &random)
                    var x = mu
                    for term in [foldEffects[f], runEffects[r], model, settingEffects[s], noise] {
                        for i in x.indices { x[i] += term[i] }
                    }
                    samples.append(MaskSample(
                        id: Int64(samples.count + 1),
                        settings: [
                            .study: .text("coverage"), .fold: .number(Double(f)), .run: .number(Double(r)), .model: .text(""),
                            .lambda1: .number([0.1, 0.01][s]), .lambda2: .number(0.01),
                        ],
                        densities: x, voxels: Array(repeating: 1, count: regions)))
                }
            }
        }
        return samples
    }

    /// The naive interval: the pairs' mean ± z sd / sqrt(n), pairs taken as independent.
    private func naive(_ samples: [MaskSample], differingIn field: StudyField, z: Double) -> Interval {
        let other: StudyField = field == .run ? .fold : .run
        var values: [Double] = []
        for i in samples.indices {
            for j in samples.indices where j > i {
                let (x, y) = (samples[i], samples[j])
                guard x[field] != y[field], x[other] == y[other], x[.lambda1] == y[.lambda1] else { continue }
                values.append(Self.cosine(x.densities.map { $0! }, y.densities.map { $0! }))
            }
        }
        let mean = values.reduce(0, +) / Double(values.count)
        let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
        let half = z * sd / Double(values.count).squareRoot()
        return Interval(lower: mean - half, upper: mean + half)
    }

    /// The coverage table.
    public func run() -> Table {
        let truth = population()
        let z = Self.normalQuantile(1 - (1 - intervals.level) / 2)
        var covered = [0, 0, 0], naiveCovered = [0, 0], widths = [0.0, 0.0, 0.0], naiveWidths = [0.0, 0.0]
        for study in 0..<studies {
            let samples = self.study(seed: 1000 + UInt64(study))
            var options = intervals
            options.seed = intervals.seed + UInt64(study)
            let table = Robustness.compute(samples, [], intervals: options)
            let found = [table.roiInterRunsInterval!, table.roiInterFoldsInterval!, table.roiDifferenceInterval!]
            for (k, (interval, value)) in zip(found, [truth.runs, truth.folds, truth.runs - truth.folds]).enumerated() {
                if interval.lower <= value && value <= interval.upper { covered[k] += 1 }
                widths[k] += interval.upper - interval.lower
            }
            for (k, (field, value)) in [(StudyField.run, truth.runs), (.fold, truth.folds)].enumerated() {
                let interval = naive(samples, differingIn: field, z: z)
                if interval.lower <= value && value <= interval.upper { naiveCovered[k] += 1 }
                naiveWidths[k] += interval.upper - interval.lower
            }
        }
        var table = Table(columns: [
            .init("mean"), .init("population", decimals: 4), .init("studies"), .init("bootstrap_coverage", decimals: 3),
            .init("bootstrap_width", decimals: 3), .init("naive_coverage", decimals: 3), .init("naive_width", decimals: 3),
        ])
        let n = Double(studies)
        for (k, (name, value)) in [("roi inter-runs", truth.runs), ("roi inter-folds", truth.folds), ("difference", truth.runs - truth.folds)].enumerated() {
            table.append([
                .text(name), .number(value), .integer(studies), .number(Double(covered[k]) / n), .number(widths[k] / n),
                k < 2 ? .number(Double(naiveCovered[k]) / n) : .empty, k < 2 ? .number(naiveWidths[k] / n) : .empty,
            ])
        }
        return table
    }

    /// The standard normal quantile (Acklam's rational approximation, to about 1e-9).
    static func normalQuantile(_ p: Double) -> Double {
        let a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.3577518672690, -30.66479806614716, 2.506628277459239]
        let b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572]
        let c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783]
        let d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]
        let low = 0.02425
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        if p > 1 - low { return -normalQuantile(1 - p) }
        let q = p - 0.5, r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}
