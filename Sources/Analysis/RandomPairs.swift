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
        let all = pairSums(units) { _ in [] }, sameModel = pairSums(units) { [model[$0]] }
        let sameSetting = pairSums(units) { [setting[$0]] }, sameBoth = pairSums(units) { [model[$0], setting[$0]] }
        return Mean(
            sum: all.sum - sameModel.sum - sameSetting.sum + sameBoth.sum,
            count: all.count - sameModel.count - sameSetting.count + sameBoth.count)
    }

    /// The sum of the cosines and the count of the pairs of masks with the same regions and the same `key`.
    private static func pairSums(_ units: UnitVectors, key: (Int) -> [Int]) -> (sum: Double, count: Int) {
        var groups: [[Int]: (vector: [Double], squares: Double, members: Int)] = [:]
        for i in 0..<units.count where units.regionSets[i] >= 0 {
            let row = units.offsets[i]..<units.offsets[i + 1]
            let k = [Int(units.regionSets[i])] + key(i)
            var group = groups.removeValue(forKey: k) ?? ([Double](repeating: 0, count: row.count), 0, 0)
            for (r, value) in zip(group.vector.indices, units.rows[row]) {
                group.vector[r] += value
                group.squares += value * value
            }
            group.members += 1
            groups[k] = group
        }
        var sum = CompensatedSum(), count = 0
        for group in groups.values {
            sum.add((group.vector.reduce(0) { $0 + $1 * $1 } - group.squares) / 2)
            count += group.members * (group.members - 1) / 2
        }
        return (sum.value, count)
    }
}
