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
enum RandomPairs {
    static func mean(_ samples: [MaskSample], units: UnitVectors, pairing: Pairing) -> Mean {
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
        let settings = (setting.max() ?? 0) + 1
        let all = pairSums(units) { _ in 0 }, sameModel = pairSums(units) { model[$0] }
        let sameSetting = pairSums(units) { setting[$0] }, sameBoth = pairSums(units) { model[$0] * settings + setting[$0] }
        return Mean(
            sum: all.sum - sameModel.sum - sameSetting.sum + sameBoth.sum,
            count: all.count - sameModel.count - sameSetting.count + sameBoth.count)
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
