import StudyCore

/// The random-pair baseline of the ROI cosine: its mean over every pair of masks of
/// different models and different settings (they differ in some field `pairing` matches
/// besides the model's), the similarity of two masks that share nothing the study varies.
/// Inter-run and inter-fold means are read against it: "robust" is how far above it they are.
///
/// In time linear in the masks: over masks with the same regions (a study's have the
/// same), the cosines of every pair sum to (|Σu|² - Σ|u|²) / 2 with u = x/|x|; the pairs
/// of different models and settings are all pairs, less those of one model, less those
/// of one setting, plus those of both (counted twice). Pairs of masks with other regions
/// (another grid) are left out. Masks all zeros have no cosine and are left out.
///
/// A measure computed pair by pair visits every such pair up to `pairLimit` pairs of masks;
/// beyond, it takes the mean of that many pairs drawn at random (seeded, so the same seed
/// gives the same baseline), and says so.
enum RandomPairs {
    /// The baseline, and true when it is of a random sample of the pairs.
    static func mean(_ samples: [MaskSample], measure: PairMeasure, pairing: Pairing, seed: UInt64) -> (Mean, sampled: Bool) {
        let modelFields = StudyField.modelIdentity
        let settingFields = pairing.fields(of: samples, differingIn: .id).filter { !modelFields.contains($0) }
        func groupOf(_ fields: [StudyField]) -> [Int] {
            var group = [Int](repeating: 0, count: samples.count)
            for (g, members) in Pairing.groupIndices(samples, by: fields).enumerated() {
                for member in members { group[member] = g }
            }
            return group
        }
        let model = groupOf(modelFields), setting = groupOf(settingFields)
        switch measure {
        case .vectors(let units): return (linear(units, model: model, setting: setting), false)
        case .pairs(let value): return pairwise(value, model: model, setting: setting, seed: seed)
        }
    }

    /// At most this many pairs are visited for a measure computed pair by pair.
    static let pairLimit = 1_000_000

    private static func linear(_ units: UnitVectors, model: [Int], setting: [Int]) -> Mean {
        let settings = (setting.max() ?? 0) + 1
        let all = pairSums(units) { _ in 0 }, sameModel = pairSums(units) { model[$0] }
        let sameSetting = pairSums(units) { setting[$0] }, sameBoth = pairSums(units) { model[$0] * settings + setting[$0] }
        return Mean(
            sum: all.sum - sameModel.sum - sameSetting.sum + sameBoth.sum,
            count: all.count - sameModel.count - sameSetting.count + sameBoth.count)
    }

    /// Every pair (i < j) of different models and settings, or `pairLimit` pairs drawn at
    /// random with replacement among all pairs, those of a model or a setting passed over.
    private static func pairwise(_ value: @Sendable (Int, Int) -> Double?, model: [Int], setting: [Int], seed: UInt64) -> (Mean, sampled: Bool) {
        let n = model.count
        let sampled = n * (n - 1) / 2 > pairLimit
        // The sums of rows (all pairs (i, j > i) of one i), or of 8 draws of their own
        // whatever the cores: added in order, the same on any machine, bit for bit.
        let rows = sampled ? (0..<8).map { $0..<($0 + 1) } : Concurrently.ranges(n) { n - $0 }
        let parts = Concurrently.map(rows.count) { part -> [(Double, Int)] in
            var results: [(Double, Int)] = []
            var sum = CompensatedSum(), count = 0
            func visit(_ i: Int, _ j: Int) {
                guard model[i] != model[j], setting[i] != setting[j], let v = value(i, j) else { return }
                sum.add(v)
                count += 1
            }
            if sampled {
                var random = SplitMix64(seed: seed &+ UInt64(part) &* 0x9E37_79B9_7F4A_7C15)
                for _ in 0..<(pairLimit / 8) {
                    let i = random.below(n), j = random.below(n - 1)
                    visit(i, j < i ? j : j + 1)
                }
                results.append((sum.value, count))
            } else {
                for i in rows[part] {
                    (sum, count) = (CompensatedSum(), 0)
                    for j in (i + 1)..<n { visit(i, j) }
                    results.append((sum.value, count))
                }
            }
            return results
        }
        var sum = CompensatedSum(), count = 0
        for (s, c) in parts.joined() {
            sum.add(s)
            count += c
        }
        return (Mean(sum: sum.value, count: count), sampled)
    }

    /// The sum of the cosines and the count of the pairs of masks with the same regions and
    /// the same `key` (a number below the samples' count squared).
    private static func pairSums(_ units: UnitVectors, key: (Int) -> Int) -> (sum: Double, count: Int) {
        // Each mask's group, then each group's Σu in one flat array (its place fixed before
        // the sums, so that they are added through one pointer).
        var place: [Int: Int] = [:], group = [Int](repeating: -1, count: units.count)
        var starts: [Int] = [], lengths: [Int] = [], members: [Int] = [], total = 0
        let keys = units.count * units.count + 1
        for i in 0..<units.count where units.regionSets[i] >= 0 {
            let k = Int(units.regionSets[i]) * keys + key(i)
            if let known = place[k] {
                group[i] = known
            } else {
                group[i] = starts.count
                place[k] = starts.count
                starts.append(total)
                lengths.append(units.length(of: i))
                members.append(0)
                total += units.length(of: i)
            }
            members[group[i]] += 1
        }
        var sums = [Double](repeating: 0, count: total), squares = [Double](repeating: 0, count: starts.count)
        units.rows.withUnsafeBufferPointer { rows in
            sums.withUnsafeMutableBufferPointer { sums in
                for i in 0..<units.count where group[i] >= 0 {
                    let (from, to, length) = (units.offsets[i], starts[group[i]], lengths[group[i]])
                    var square = 0.0
                    for r in 0..<length {
                        sums[to + r] += rows[from + r]
                        square += rows[from + r] * rows[from + r]
                    }
                    squares[group[i]] += square
                }
            }
        }
        var sum = CompensatedSum(), count = 0
        for g in starts.indices {
            var norm = 0.0
            for r in 0..<lengths[g] { norm += sums[starts[g] + r] * sums[starts[g] + r] }
            sum.add((norm - squares[g]) / 2)
            count += members[g] * (members[g] - 1) / 2
        }
        return (sum.value, count)
    }
}
